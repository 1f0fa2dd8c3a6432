"""The public project's plumbing: GitHub Actions workflows, pre-commit, issue forms, Dependabot,
the package's licence. Nothing here runs on GitHub, so these tests read the files: each parses,
triggers when it should, names only make targets, paths and options that exist, pins every
action, and asks for no more permissions than it needs."""

from __future__ import annotations

import configparser
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
TEMPLATES = ROOT / ".github" / "ISSUE_TEMPLATE"
BUDGET = 90  # minutes: CI's budget for one run

#: What a step's command leaves behind for the steps after it.
PRODUCES = {
    "make book": ("_build/html",),
    "make editions": ("_build/editions",),
    "make linkcheck": ("_build/linkcheck.json",),
    "make snapshots": ("../shared/data/snapshots",),
}


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    """``on:`` (YAML 1.1 reads the bare key as True)."""
    on = workflow.get("on", workflow.get(True))
    return {on: None} if isinstance(on, str) else {k: None for k in on} if isinstance(on, list) else on


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", text, flags=re.M))


def tracked() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


def steps(workflow: dict):
    """(job name, step index, step) for every step of every job."""
    for name, job in workflow["jobs"].items():
        for i, step in enumerate(job.get("steps", [])):
            yield name, i, step


OPERATORS = {"|", "||", "&&", ";", "&", "(", ")", "|&", ";;"}
REDIRECT = re.compile(r"^[<>&]+$")


def commands(script: str) -> list[list[str]]:
    """The simple commands of a shell script, as their words (quotes respected; pipes, lists and
    subshells split; redirections dropped)."""
    out = []
    for line in script.splitlines():
        lex = shlex.shlex(line, posix=True, punctuation_chars=True)
        lex.whitespace_split = True
        lex.commenters = "#"
        try:
            tokens = list(lex)
        except ValueError:  # a quote closed on a later line: not a command this test reads
            continue
        current: list[str] = []
        skip = False
        for i, token in enumerate(tokens):
            if skip:
                skip = False
            elif token in OPERATORS:
                out.append(current)
                current = []
            elif REDIRECT.match(token):
                skip = True  # and its target
            elif not (token.isdigit() and i + 1 < len(tokens) and REDIRECT.match(tokens[i + 1])):
                current.append(token)
        out.append(current)
    return [c for c in out if c]


def make_calls(script: str) -> list[list[str]]:
    """Each ``make ...`` command of a shell script, as its words."""
    return [c for c in commands(script) if c[0] == "make"]


PATH_WORD = re.compile(r"^(\.\./|\.)?[\w.-]+(/[\w.*-]+)+/?$")


def paths_named(script: str) -> list[str]:
    """The words of a script that are paths in or beside the repository (``a/b``, ``.ci/run``)."""
    out = []
    for command in commands(script):
        for word in command:
            word = word.split("=", 1)[-1] if word.startswith("-") else word
            if PATH_WORD.match(word) and not word.startswith(("/", "http")):
                out.append(word.rstrip("/"))
    return out


# --------------------------------------------------------------------------- workflows
def test_the_three_workflows_exist_and_parse():
    assert [p.name for p in workflow_files()] == ["ci.yml", "pages.yml", "weekly.yml"]
    for path in workflow_files():
        workflow = load(path)
        assert workflow["name"] and workflow["jobs"], path.name


def test_ci_runs_ci_run_on_pull_requests_and_pushes_on_debian_12():
    workflow = load(WORKFLOWS / "ci.yml")
    on = triggers(workflow)
    assert "pull_request" in on and "push" in on
    scripts = [s.get("run", "") for _, _, s in steps(workflow)]
    assert "bash .ci/run" in scripts
    assert any(s == "make snapshots" for s in scripts)  # ../shared is not public: fetched first
    assert scripts.index("make snapshots") < scripts.index("bash .ci/run")
    assert workflow["jobs"]["test"]["container"] == "debian:12"
    assert "python3.11-venv" in scripts[0]  # the venv module a fresh Debian lacks
    checkout = next(s for s in workflow["jobs"]["test"]["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # make test builds every release from its commit


def test_ci_runs_the_unit_tier_on_every_supported_python():
    """The Pythons pyproject.toml declares are the ones CI runs make check with."""
    job = load(WORKFLOWS / "ci.yml")["jobs"]["unit"]
    versions = job["strategy"]["matrix"]["python"]
    declared = re.findall(r'"Programming Language :: Python :: (3\.\d+)"', (ROOT / "pyproject.toml").read_text())
    assert versions == declared == ["3.11", "3.12", "3.13"]
    setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["python-version"] == "${{ matrix.python }}"
    check = next(s for s in job["steps"] if s.get("run") == "make check")
    assert check["env"]["PYTHON"] == "python${{ matrix.python }}"  # tools/venv.sh makes .venv with it


def test_pages_builds_every_edition_and_deploys_them_on_a_release_tag_with_the_official_actions():
    workflow = load(WORKFLOWS / "pages.yml")
    on = triggers(workflow)
    assert set(on) == {"push"} and on["push"] == {"tags": ["v*.*.*"]}
    uses = [s["uses"].split("@")[0] for _, _, s in steps(workflow) if "uses" in s]
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= set(uses)
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    runs = [s.get("run") for s in build["steps"]]
    assert runs.index("make book") < runs.index("make editions")
    checkout = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # every release's commit, which make editions builds
    upload = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload[0]["with"]["path"] == "_build/editions"
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    # minimal permissions: none at the top, read for the build, Pages and the OIDC token for the deploy
    assert workflow["permissions"] == {}
    assert build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["cancel-in-progress"] is False  # a release is never cut off


def test_pages_refuses_a_tag_that_is_not_the_books_version():
    script = next(s["run"] for _, _, s in steps(load(WORKFLOWS / "pages.yml")) if "GITHUB_REF_NAME" in s.get("run", ""))
    version = script.split("version=$(", 1)[1].split(")\n", 1)[0]
    assert version == "PYTHONPATH=src python3.11 -c 'import nkbook; print(nkbook.__version__)'"
    command = version.replace("python3.11", shlex.quote(sys.executable))  # the Python running the tests
    printed = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    from nkbook import __version__

    assert printed == __version__


def test_weekly_checks_links_and_the_refresh_dry_run_and_opens_an_issue_on_failure():
    workflow = load(WORKFLOWS / "weekly.yml")
    on = triggers(workflow)
    assert set(on) == {"schedule", "workflow_dispatch"}
    assert re.fullmatch(r"\d+ \d+ \* \* [0-6]", on["schedule"][0]["cron"])  # once a week
    job = workflow["jobs"]["check"]
    by_id = {s["id"]: s for s in job["steps"] if "id" in s}
    assert by_id["links"]["run"].splitlines()[-1].startswith("make linkcheck")
    assert by_id["refresh"]["run"].startswith("make refresh REFRESH_ARGS=--dry-run")
    for check in ("book", "links", "snapshots", "refresh"):
        assert by_id[check]["continue-on-error"] is True, check  # so that the issue step still runs
    report = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/github-script@"))
    for check in ("book", "links", "snapshots", "refresh"):
        assert f"steps.{check}.outcome == 'failure'" in report["if"]
    assert "github.rest.issues.create" in report["with"]["script"]
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    assert workflow["permissions"] == {"contents": "read"}
    # the last step fails the run, so that a failed check is red as well as reported
    assert job["steps"][-1]["run"].rstrip().endswith("exit 1")


def test_weekly_reads_the_refresh_dry_runs_own_words():
    """The weekly job tells a changed list by the line the dry run prints; it must still print it."""
    refresh = next(s for s in load(WORKFLOWS / "weekly.yml")["jobs"]["check"]["steps"] if s.get("id") == "refresh")
    grep = re.search(r'grep -q "\^([^"]+)"', refresh["run"])
    run = (ROOT / "src" / "nkbook" / "etl" / "refresh" / "run.py").read_text(encoding="utf-8")
    assert grep and f'print("{grep.group(1)}' in run


def test_make_refresh_takes_its_options_from_refresh_args_and_has_a_dry_run(capsys):
    """`make refresh --dry-run` is make's own dry run (it runs nothing); the options go in REFRESH_ARGS."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^refresh:.*\n\t\$\(BIN\)/python -m nkbook\.etl\.refresh \$\(REFRESH_ARGS\)$", text, re.M)
    from nkbook.etl.refresh import run

    with pytest.raises(SystemExit) as exc:
        run.main(["--help"])
    assert exc.value.code == 0
    assert "--dry-run" in capsys.readouterr().out


def make_words():
    out = []
    for path in workflow_files():
        for job, i, step in steps(load(path)):
            for words in make_calls(step.get("run", "")):
                out.append(pytest.param(words, id=f"{path.name}:{job}:{i}:{' '.join(words)}"))
    contributing = ROOT / "CONTRIBUTING.md"
    text = contributing.read_text(encoding="utf-8") if contributing.is_file() else ""
    for command in sorted(set(re.findall(r"`(make [^`]+)`", text))):
        out.append(pytest.param(shlex.split(command), id=f"CONTRIBUTING.md:{command}"))
    return out


@pytest.mark.parametrize("words", make_words())
def test_every_make_command_names_a_target_of_the_makefile_and_no_make_option(words):
    targets = [w for w in words[1:] if "=" not in w]
    assert not [w for w in words[1:] if w.startswith("-")], f"{words}: an option given to make changes what it does"
    assert len(targets) == 1, words
    assert targets[0] in makefile_targets(), f"make {targets[0]}: no such target in the Makefile"


def named_paths():
    out = []
    for path in workflow_files():
        workflow = load(path)
        for job_name, job in workflow["jobs"].items():
            made: set[str] = set()
            for i, step in enumerate(job.get("steps", [])):
                script = step.get("run", "")
                here = set(made)
                for command, outputs in PRODUCES.items():
                    if re.search(rf"^\s*{command}\b", script, re.M):
                        made.update(outputs)
                made.update(re.findall(r"(?:mkdir -p|tee) (\S+)", script))
                here |= set(re.findall(r"tee (\S+)", script))  # written by the step that names it
                names = paths_named(script)
                with_ = step.get("with", {}) or {}
                if step.get("uses", "").startswith("actions/upload-pages-artifact@"):
                    names.append(with_["path"])
                if step.get("uses", "").startswith("actions/github-script@"):
                    names += re.findall(r'"(_build/[^"]+)"', with_["script"])
                for value in with_.values():
                    names += re.findall(r"hashFiles\('([^']+)'\)", str(value))
                for name in names:
                    out.append(pytest.param(name, frozenset(here), id=f"{path.name}:{job_name}:{i}:{name}"))
    return out


@pytest.mark.parametrize(("name", "made"), named_paths())
def test_every_path_a_workflow_names_exists_or_a_prior_step_makes_it(name, made):
    made_before = any(name == m or name.startswith(m.rstrip("/") + "/") or m.startswith(name + "/") for m in made)
    assert (ROOT / name).exists() or made_before, f"{name}: not in the repository, and no earlier step makes it"


def test_every_action_is_pinned_to_a_version_or_a_commit():
    pinned = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")
    uses = [s["uses"] for p in workflow_files() for _, _, s in steps(load(p)) if "uses" in s]
    assert uses and [u for u in uses if not pinned.match(u)] == []


def test_every_job_has_a_timeout_within_the_budget_and_every_workflow_a_concurrency_group():
    assert workflow_files()
    for path in workflow_files():
        workflow = load(path)
        assert workflow["concurrency"]["group"], path.name
        assert "permissions" in workflow, f"{path.name}: permissions not stated (the default token may write)"
        for name, job in workflow["jobs"].items():
            assert 0 < job["timeout-minutes"] <= BUDGET, f"{path.name}: job {name}"


def test_contributing_says_how_to_add_a_row_a_table_a_claim_and_how_to_report_a_wrong_figure_or_verdict():
    headings = re.findall(r"^## (.+)$", (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"), re.M)
    for wanted in ("Add a row to a curated table", "Add a table", "Add or change a claim"):
        assert wanted in headings
    assert "Report a wrong figure or a wrong verdict" in headings


# --------------------------------------------------------------------------- pre-commit
def lock_version(package: str) -> str:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return re.search(rf"^{package}==([^\s;\\]+)", text, re.M).group(1)


def test_pre_commit_ruff_is_the_locks_ruff_and_lints_notebooks():
    config = load(ROOT / ".pre-commit-config.yaml")
    repos = {r["repo"]: r for r in config["repos"]}
    ruff = repos["https://github.com/astral-sh/ruff-pre-commit"]
    assert ruff["rev"] == f"v{lock_version('ruff')}"
    hooks = {h["id"]: h for h in ruff["hooks"]}
    assert set(hooks) == {"ruff-check", "ruff-format"}
    for hook in hooks.values():
        assert "jupyter" in hook["types_or"]  # notebooks linted and formatted; outputs kept


def test_pre_commit_hooks_and_what_they_may_touch():
    config = load(ROOT / ".pre-commit-config.yaml")
    hooks = {h["id"]: h for r in config["repos"] for h in r["hooks"]}
    assert {"codespell", "check-json", "check-yaml", "end-of-file-fixer", "trailing-whitespace"} <= set(hooks)
    assert not [h for h in hooks if "nbstripout" in h]  # the stored outputs are compared by nbval
    files = tracked()
    for fixer in ("end-of-file-fixer", "trailing-whitespace"):
        hook = hooks[fixer]
        touched = [f for f in files if re.search(hook["files"], f) and not re.search(hook["exclude"], f)]
        assert "Makefile" in touched and "src/nkbook/publish/linkcheck.py" in touched
        assert [f for f in touched if f.startswith(("data/", "book/")) or f.endswith((".csv", ".ipynb"))] == []
    assert re.search(hooks["codespell"]["exclude"], "data/claims.csv")


def test_codespell_config_skips_the_data_and_lists_its_words():
    config = configparser.ConfigParser()
    config.read(ROOT / ".codespellrc", encoding="utf-8")
    assert "./data/*.csv" in config["codespell"]["skip"].split(",")
    words = config["codespell"]["ignore-words-list"].split(",")
    comments = (ROOT / ".codespellrc").read_text(encoding="utf-8")
    for word in words:
        assert re.search(rf"^#\s+.*\b{word}\b", comments, re.M), f"{word}: say why it is right here"


# --------------------------------------------------------------------------- issue forms
FORM_TYPES = {"markdown", "textarea", "input", "dropdown", "checkboxes"}


def forms() -> list[Path]:
    return sorted(p for p in TEMPLATES.glob("*.yml") if p.name != "config.yml")


def test_issue_forms_are_exactly_the_three_reports():
    assert [p.name for p in forms()] == ["add-source.yml", "wrong-figure.yml", "wrong-verdict.yml"]
    config = load(TEMPLATES / "config.yml")
    assert isinstance(config["blank_issues_enabled"], bool)
    assert (ROOT / ".github" / "pull_request_template.md").is_file()


@pytest.mark.parametrize("path", forms(), ids=lambda p: p.name)
def test_each_issue_form_is_valid(path):
    form = load(path)
    assert isinstance(form["name"], str) and form["name"]
    assert isinstance(form["description"], str) and form["description"]
    body = form["body"]
    assert isinstance(body, list) and body
    ids = [e["id"] for e in body if "id" in e]
    assert len(ids) == len(set(ids))
    for element in body:
        assert element["type"] in FORM_TYPES
        if element["type"] == "markdown":
            assert element["attributes"]["value"]
        else:
            assert element["id"] and element["attributes"]["label"]
        if element["type"] in ("dropdown", "checkboxes"):
            assert element["attributes"]["options"]
    assert any(e.get("validations", {}).get("required") for e in body)


def test_the_verdict_form_offers_the_registers_verdicts():
    from nkbook.analysis.claims.vocabulary import VERDICTS

    body = {e.get("id"): e for e in load(TEMPLATES / "wrong-verdict.yml")["body"]}
    assert tuple(body["verdict"]["attributes"]["options"]) == VERDICTS


def test_the_add_a_row_form_offers_every_curated_table_of_evidence():
    import json

    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    records = {"claims", "claim_history", "essays", "search_log"}  # the maintainers' own records
    curated = [r["name"] for r in package["resources"] if r.get("x-origin") == "curated" and r["name"] not in records]
    body = {e.get("id"): e for e in load(TEMPLATES / "add-source.yml")["body"]}
    assert body["table"]["attributes"]["options"] == [*curated, "a new table", "I am not sure"]


# --------------------------------------------------------------------------- dependencies, licence
def test_dependabot_updates_the_actions_and_the_python_requirements():
    config = load(ROOT / ".github" / "dependabot.yml")
    assert config["version"] == 2
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(ecosystems) == {"github-actions", "pip"}
    for update in ecosystems.values():
        assert update["directory"] == "/" and update["schedule"]["interval"]
    assert (ROOT / "requirements.in").is_file()


def test_the_licence_is_an_spdx_expression_with_its_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    assert "MIT License" in (ROOT / project["project"]["license-files"][0]).read_text(encoding="utf-8")
    assert project["build-system"]["requires"] == ["setuptools>=77"]
    assert tuple(map(int, lock_version("setuptools").split(".")[:2])) >= (77, 0)  # PEP 639 support
