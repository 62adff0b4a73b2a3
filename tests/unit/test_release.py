"""The release as a user receives it: the tarball ``ansible-galaxy collection build`` makes, galaxy.yml,
meta/runtime.yml, the execution environment, the role READMEs and the changelog.

Everything that enumerates modules, roles or feature packages is checked against what is on disk, so a
module or role added by another branch is flagged here (with the fix) instead of silently missing from
the release.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if not p.name.startswith("_"))
ROLES = sorted(p.name for p in (REPO / "roles").iterdir() if (p / "tasks").is_dir())
FEATURES = sorted(p.name for p in (REPO / "plugins" / "module_utils" / "netinfra" / "features").iterdir()
                  if p.is_dir() and (p / "schema.py").exists())
# What a feature package is called in prose (galaxy.yml description).
FEATURE_WORDS = {"bgp": "BGP", "ipsec": "IPsec", "vrrp": "VRRP", "snmp": "SNMP", "hsm": "HSM"}
GALAXY = yaml.safe_load((REPO / "galaxy.yml").read_text())
RUNTIME = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())

# Never in the tarball (path patterns inside the collection).
FORBIDDEN = [
    (r"^tests/", "test code and data"),
    (r"^molecule/", "molecule scenarios"),
    (r"^benchmarks/", "benchmarks"),
    (r"^inventories/lab/", "the lab's inventory"),
    (r"^inventories/site20/", "the 20-device benchmark lab's inventory"),
    (r"^scripts/", "build/test scripts"),
    (r"^\.ci/", "CI"),
    (r"^awx/", "AWX project scaffolding"),
    (r"^collections/", "the project's collection requirements"),
    (r"(^|/)\.", "hidden files (.venv, .git, .ansible-lint, ...)"),
    (r"vault[-_]pass", "vault password files"),
    (r"\.(key|pem|p12|pfx)$", "keys and certificates"),
    (r"(^|/)id_(rsa|ed25519|ecdsa)", "SSH keys"),
    (r"(^|/)__pycache__/|\.pyc$", "bytecode"),
    (r"^(Makefile|ansible\.cfg|requirements(-tools)?\.txt|constraints(-tools)?\.txt)$", "dev tooling"),
    (r"\.tar\.gz$", "nested tarballs"),
]


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> list[str]:
    out = tmp_path_factory.mktemp("build")
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", str(REPO), "--output-path", str(out)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = list(out.glob("paynet-netinfra-*.tar.gz"))
    assert [p.name for p in built] == ["paynet-netinfra-%s.tar.gz" % GALAXY["version"]]
    with tarfile.open(built[0]) as tar:
        return sorted(m.name.removeprefix("./") for m in tar.getmembers() if m.isfile() or m.issym())


def test_tarball_keeps_out_tests_lab_secrets_and_tooling(tarball):
    leaks = ["%s (%s)" % (name, why) for name in tarball for pattern, why in FORBIDDEN if re.search(pattern, name)]
    assert not leaks, "the release tarball ships files it must not; add them to build_ignore in galaxy.yml:\n" + \
        "\n".join(leaks)


def test_tarball_ships_what_users_need(tarball):
    need = ["MANIFEST.json", "FILES.json", "README.md", "LICENSE", "CHANGELOG.md", "changelogs/changelog.yaml",
            "meta/runtime.yml", "meta/execution-environment.yml", "meta/requirements-runtime.txt", "meta/bindep.txt",
            "requirements-runtime.txt", "bindep.txt", "playbooks/validate.yml", "playbooks/partner_onboard.yml",
            "docs/awx.md"]
    need += ["plugins/modules/%s.py" % m for m in MODULES]
    need += ["roles/%s/%s" % (r, f) for r in ROLES for f in ("README.md", "tasks/main.yml", "meta/argument_specs.yml")]
    need += [str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md")]
    missing = [n for n in need if n not in tarball]
    assert not missing, "missing from the release tarball: %s" % missing


def test_every_module_is_in_the_action_group():
    group = RUNTIME.get("action_groups", {}).get("netinfra")
    assert group, "meta/runtime.yml has no action_groups.netinfra"
    missing = sorted(set(MODULES) - set(group))
    stale = sorted(set(group) - set(MODULES))
    assert not missing and not stale, (
        "meta/runtime.yml action_groups.netinfra must list every module in plugins/modules/ "
        "(missing: %s; not a module: %s). Fix: edit the list in meta/runtime.yml." % (missing, stale))


def test_requires_ansible_is_what_ci_tests():
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    tested = re.search(r"^ansible-core==(\S+)$", (REPO / "constraints.txt").read_text(), re.M).group(1)
    spec = SpecifierSet(RUNTIME["requires_ansible"])
    assert Version(tested) in spec, "requires_ansible %s excludes the ansible-core CI tests (%s)" % (spec, tested)
    # no claim below the tested minor release: nothing older is tested
    major, minor = Version(tested).release[:2]
    assert Version("%d.%d.0" % (major, minor - 1)) not in spec, \
        "requires_ansible %s claims ansible-core %d.%d, which CI does not test" % (spec, major, minor - 1)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_has_a_readme_naming_its_variables(role):
    readme = REPO / "roles" / role / "README.md"
    assert readme.exists(), "roles/%s has no README.md (Galaxy's importer refuses it)" % role
    text = readme.read_text()
    assert "paynet.netinfra.%s" % role in text
    specs = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())
    options = specs["argument_specs"]["main"]["options"]
    undocumented = [o for o in options if "`%s`" % o not in text]
    assert not undocumented, "roles/%s/README.md does not describe %s" % (role, undocumented)


def test_galaxy_yml_tells_the_truth():
    description = " ".join(GALAXY["description"].split())
    for feature in FEATURES:
        word = FEATURE_WORDS.get(feature, feature)
        assert word.lower() in description.lower(), \
            "feature package %s exists but galaxy.yml's description does not name it (%s)" % (feature, word)
        assert feature in GALAXY["tags"], "feature %s is not in galaxy.yml's tags" % feature
    for key in ("repository", "documentation", "homepage", "issues"):
        url = GALAXY.get(key)
        assert url is None or not re.search(r"example\.|\.invalid|\.test/|localhost", url), \
            "galaxy.yml %s is a placeholder URL (%s): omit it" % (key, url)
    for author in GALAXY["authors"]:
        assert not re.search(r"@example\.|\.invalid", author), "placeholder address in authors: %s" % author


def test_the_changelog_records_every_release_up_to_this_version():
    from packaging.version import Version

    releases = yaml.safe_load((REPO / "changelogs" / "changelog.yaml").read_text())["releases"]
    assert {"0.1.0", "0.2.0", "0.3.0"} <= set(releases)
    latest = max(releases, key=Version)
    assert Version(GALAXY["version"]) >= Version(latest), \
        "galaxy.yml version %s is older than the last release %s" % (GALAXY["version"], latest)
    text = (REPO / "CHANGELOG.md").read_text()
    missing = [v for v in releases if "v%s" % v.replace(".", "\\.") not in text]
    assert not missing, "CHANGELOG.md lacks %s: run antsibull-changelog generate" % missing


def test_execution_environment_matches_what_ci_tests():
    ee = yaml.safe_load((REPO / "meta" / "execution-environment.yml").read_text())
    assert ee["version"] == 3
    deps = ee["dependencies"]
    constraints = (REPO / "constraints.txt").read_text()
    assert deps["ansible_core"]["package_pip"] in constraints.splitlines()
    # the builder reads python/system relative to meta/ (definition) and to the root (introspection)
    for key in ("python", "system"):
        name = deps[key]
        assert (REPO / name).read_bytes() == (REPO / "meta" / name).read_bytes(), \
            "meta/%s differs from %s: copy the root file over it" % (name, name)
    bundled = Path(yaml.__file__).parents[1] / "ansible_collections"
    import json
    for col in deps["galaxy"]["collections"]:
        namespace, name = col["name"].split(".")
        manifest = json.loads((bundled / namespace / name / "MANIFEST.json").read_text())
        assert col["version"] == "==" + manifest["collection_info"]["version"], \
            "%s in the execution environment is not the version CI tests" % col["name"]


def test_runtime_requirements_are_not_test_tooling():
    runtime = (REPO / "requirements-runtime.txt").read_text()
    for tool in ("pytest", "molecule", "ansible-lint", "antsibull", "galaxy-importer"):
        assert tool not in runtime


def test_collections_requirements_are_tracked():
    proc = subprocess.run(["git", "check-ignore", "-q", "--no-index", "collections/requirements.yml"], cwd=REPO,
                          check=False)
    assert proc.returncode == 1, "collections/requirements.yml is git-ignored: fix .gitignore"
    proc = subprocess.run(["git", "check-ignore", "-q", "--no-index", "collections/ansible_collections/x"], cwd=REPO,
                          check=False)
    assert proc.returncode == 0, "installed collections under collections/ must stay git-ignored"
    reqs = yaml.safe_load((REPO / "collections" / "requirements.yml").read_text())
    assert reqs["collections"], "collections/requirements.yml installs nothing"
