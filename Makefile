# paynet.netinfra - build/test entry points. Logic lives in scripts/.
# Fresh machine (Debian 12, root): `make demo` or `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Space-separated molecule scenario names; empty = every scenario in molecule/.
MOLECULE_SCENARIOS ?=
export MOLECULE_SCENARIOS

.PHONY: help setup sanity lint unit molecule test demo generate
.PHONY: runner ee release docs

help:
	@echo "make setup     - apt packages, .venv (Python >= 3.12), collection path (scripts/setup.sh)"
	@echo "make generate  - rewrite doc fragments, role specs/defaults, docs/reference.md from the schemas"
	@echo "make unit      - pytest tests/unit"
	@echo "make sanity    - ansible-test sanity on a copy under ansible_collections/paynet/netinfra"
	@echo "make lint      - ansible-lint --profile production, antsibull-changelog lint"
	@echo "make molecule  - molecule test (MOLECULE_SCENARIOS='a b' to pick scenarios)"
	@echo "make test      - setup + unit + sanity + lint + molecule + runner + ee + release + docs, timed"
	@echo "make demo      - setup + lab up + onboard partner acme_bank (check, then apply)"
	@echo "make runner    - playbooks through ansible-runner as AWX runs them, on lab awx-runner"
	@echo "make ee        - ansible-builder create + introspect (meta/execution-environment.yml)"
	@echo "make release   - changelog lint, tarball build + listing, galaxy-importer"
	@echo "make docs      - antsibull-docs lint + the docs site (build/docs/build/html)"

setup:
	@bash scripts/setup.sh

generate:
	@.venv/bin/python scripts/generate.py

unit:
	@bash scripts/unit.sh

sanity:
	@bash scripts/sanity.sh

lint:
	@bash scripts/lint.sh

molecule:
	@bash scripts/molecule.sh

runner:
	@bash scripts/runner.sh

ee:
	@bash scripts/ee.sh

release:
	@bash scripts/release.sh

docs:
	@bash scripts/docs.sh

# setup, unit, sanity, lint, molecule, then the release branch's stages: in that order, stop at the
# first failure.
test:
	@bash scripts/test.sh setup unit sanity lint molecule runner ee release docs

demo: setup
	@bash scripts/demo.sh

# The site lab (docs/operations.md): regenerate tests/topologies/site-dc.clab.yml and the partners'
# FRR configs from tests/topologies/site/dc-site.yml.
.PHONY: site-lab
site-lab:
	@.venv/bin/python tests/lab/sitegen.py
