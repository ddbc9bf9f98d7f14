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
# checkov pins an older boto3: its own virtualenv, apart from the project's and the SAM CLI's.
CHECKOV_VENV := .tools/checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
TRANSLATED := .tools/translated/template.json
ASL_VALIDATOR := node_modules/.bin/asl-validator

# sam/cfn-lint need a region; telemetry off (no network, no prompt).
INFRA_ENV := AWS_DEFAULT_REGION=$(AWS_REGION_FOR_TOOLS) AWS_REGION=$(AWS_REGION_FOR_TOOLS) \
	SAM_CLI_TELEMETRY=0 SAM_CLI_CONTACT_TELEMETRY=0

.PHONY: tools lint-template validate-asl check-package-size infra-check checkov

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

$(CHECKOV_STAMP): requirements/checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(BOOTSTRAP_PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/checkov.txt
	touch $@

# Not part of infra-check (a large install): every finding is fixed or skipped in the template
# with its reason (Metadata.checkov.skip). Scans the template and its SAM translation (the
# generated roles and permissions).
checkov: $(CHECKOV_STAMP) $(SAM_STAMP) ## checkov on template.yaml and the SAM-translated template
	mkdir -p $(dir $(TRANSLATED))
	$(INFRA_ENV) $(SAM_VENV)/bin/python tools/sam_translate.py template.yaml > $(TRANSLATED)
	$(CHECKOV) --skip-download --quiet --compact --framework cloudformation -f template.yaml
	$(CHECKOV) --skip-download --quiet --compact --framework cloudformation -f $(TRANSLATED)
