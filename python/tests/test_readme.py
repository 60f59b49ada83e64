"""The README's "From Python and R" examples run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _python_blocks():
    text = README.read_text(encoding="utf-8")
    section = text.split("## From Python and R", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_examples_run(capsys):
    blocks = _python_blocks()
    assert len(blocks) == 2, "the README's Python section lost an example"
    for code in blocks:
        exec(compile(code, str(README), "exec"), {})
    printed = capsys.readouterr().out
    assert "managers.focus" in printed and "safety" in printed
    assert "out of range" in printed
