# Infrastructure checks: SAM template lint, ASL validation, Lambda package size.
# Included by the top-level Makefile; also usable alone: make -f mk/infra.mk infra-check
# Needs network only for pip/npm registries (first `make tools`); everything else is offline.

PYTHON ?= .venv/bin/python
BOOTSTRAP_PYTHON ?= python3
AWS_REGION_FOR_TOOLS ?= eu-west-1

SAM_VENV := .tools/sam
SAM := $(SAM_VENV)/bin/sam
CFN_LINT := $(SAM_VENV)/bin/cfn-lint
SAM_STAMP := $(SAM_VENV)/.installed
NODE_STAMP := node_modules/.strata-installed
ASL_VALIDATOR := node_modules/.bin/asl-validator

# sam/cfn-lint need a region; telemetry off (no network, no prompt).
INFRA_ENV := AWS_DEFAULT_REGION=$(AWS_REGION_FOR_TOOLS) AWS_REGION=$(AWS_REGION_FOR_TOOLS) \
	SAM_CLI_TELEMETRY=0 SAM_CLI_CONTACT_TELEMETRY=0

.PHONY: tools lint-template validate-asl check-package-size infra-check

tools: $(SAM_STAMP) $(NODE_STAMP) ## Install SAM CLI (own venv) and asl-validator (npm ci)

# Re-installs only when requirements/tools.txt changes.
$(SAM_STAMP): requirements/tools.txt
	test -x $(SAM_VENV)/bin/python || $(BOOTSTRAP_PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/tools.txt
	$(SAM) --version
	touch $@

# Re-installs only when the lock file changes.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

lint-template: $(SAM_STAMP) ## sam validate --lint (cfn-lint) + serverless rules
	$(INFRA_ENV) $(SAM) validate --lint --template template.yaml
	$(INFRA_ENV) $(CFN_LINT) --append-rules cfn_lint_serverless.rules -- template.yaml

validate-asl: $(NODE_STAMP) ## JSON + asl-validator + placeholders vs DefinitionSubstitutions
	$(PYTHON) tools/validate_asl.py

check-package-size: ## Each function's code + layers, unzipped, under 250 MB (python3.12 arm64 wheels)
	$(PYTHON) tools/check_package_size.py

infra-check: lint-template validate-asl check-package-size ## All infrastructure checks
