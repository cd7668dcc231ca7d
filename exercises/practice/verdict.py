"""A check's verdict: the steps passed, the step that failed and why; text, HTML, JSON.

>>> v = Verdict(1).add("interface", PASSED, "ok").add("forward", FAILED, "wrong", "crash")
>>> v.finish().exit_status, v.status, v.code
(1, 'failed', 'crash')
"""

import html
import json
import textwrap

from .i18n import _, get_language

__all__ = ["ERROR", "FAILED", "PASSED", "Verdict"]

PASSED, FAILED, ERROR = "passed", "failed", "error"
EXIT = {PASSED: 0, FAILED: 1, ERROR: 2}
MARKS = {PASSED: "✓", FAILED: "✗", ERROR: "!"}
#: The codes of the mistakes that checks recognise (the others name a kind of failure).
DIAGNOSES = {"sign_flipped", "factor_2_missing", "factor_2_doubled", "input_missing",
             "activation_derivative_missing", "activation_derivative_missing_hidden",
             "activation_derivative_missing_output", "derivative_at_output",
             "bias_not_summed", "weight_transposed", "updated_weights_used",
             "last_sample_only", "layer_updates", "no_update"}


def step_title(name):
    return {"interface": _("interface"), "forward": _("forward"),
            "gradients": _("gradients"), "training": _("training"),
            "run": _("running your code")}.get(name, name)


def _wrap(line, indent, width=100):
    if len(line) <= width:
        return [line]
    return textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)


class Verdict:
    """What `check` found: `status` ('passed', 'failed', 'error'), `exit_status` (0, 1, 2),
    `steps` [(name, status, message)], `code` (the failure's or diagnosis's name)."""

    def __init__(self, exercise, filename=None):
        self.exercise, self.filename = exercise, filename
        self.steps, self.status, self.code = [], PASSED, None
        self.language = get_language()

    def add(self, name, status, message, code=None):
        self.steps.append((name, status, message))
        if status != PASSED:
            self.status, self.code = status, code
        return self

    def finish(self):
        return self

    @property
    def exit_status(self):
        return EXIT[self.status]

    @property
    def message(self):
        """The last step's message: the failure, or the last success."""
        return self.steps[-1][2] if self.steps else ""

    def headline(self):
        if self.status == PASSED:
            return _("Exercise {n}: every check passed. Well done!").format(n=self.exercise)
        if self.status == FAILED:
            return _("Exercise {n}: not there yet. The first problem is below.").format(
                n=self.exercise)
        return _("Exercise {n}: your code could not be run.").format(n=self.exercise)

    def __str__(self):
        lines = [self.headline()]
        for name, status, message in self.steps:
            first, *rest = message.splitlines() or [""]
            lines += _wrap(f"  {MARKS[status]} {step_title(name)}: {first}", "      ")
            for line in rest:
                lines += _wrap(f"      {line}", "      " + " " * (len(line) - len(line.lstrip())))
        if self.status == FAILED:
            lines.append(_("Fix it and run the check again. Stuck? Try: python -m exercises "
                           "hint {n}").format(n=self.exercise))
        return "\n".join(lines)

    def _repr_html_(self):
        colours = {PASSED: "#1a7f37", FAILED: "#cf222e", ERROR: "#9a6700"}
        rows = "".join(
            f'<li style="margin:.3em 0"><span style="color:{colours[s]};font-weight:bold">'
            f"{MARKS[s]} {html.escape(step_title(n))}</span>: "
            f'<span style="white-space:pre-wrap">{html.escape(m)}</span></li>'
            for n, s, m in self.steps)
        return (f'<div style="border-left:4px solid {colours[self.status]};padding:.4em .8em">'
                f"<strong>{html.escape(self.headline())}</strong>"
                f'<ul style="list-style:none;padding-left:.5em">{rows}</ul></div>')

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def to_dict(self):
        failed = [name for name, status, _m in self.steps if status != PASSED]
        return {"exercise": self.exercise, "file": self.filename, "language": self.language,
                "status": self.status, "passed": self.status == PASSED,
                "exit_status": self.exit_status, "code": self.code,
                "diagnosis": self.code if self.code in DIAGNOSES else None,
                "failed_check": failed[0] if failed else None, "message": self.message,
                "checks": [{"name": n, "status": s, "message": m} for n, s, m in self.steps]}

    def to_json(self):
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data):
        verdict = cls(data["exercise"], data.get("file"))
        for step in data["checks"]:
            verdict.steps.append((step["name"], step["status"], step["message"]))
        verdict.status, verdict.code = data["status"], data.get("code")
        verdict.language = data.get("language", verdict.language)
        return verdict
