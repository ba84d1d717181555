# The README's two commands: `make run` and `make test`. Everything else is cmake and ctest.
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080

# Debian 12 packages the build and the tests need; installed when missing (as root). npm counts
# as present when the command is there (a Node.js from elsewhere brings its own, and Debian's
# npm package would conflict with it). chromium, nodejs and npm are for the browser test, the
# contract test, the JavaScript client and the VietQR vectors; python3-pip, -setuptools and
# -wheel build the Python client's package in its test, and mypy checks its types;
# imagemagick, fonts-dejavu-core, qrencode and webp make the image tests' images.
# help2man, dpkg-dev and file make the man pages and the .deb; openssl, systemd, haproxy,
# nginx and prometheus are for tests/deploy/ (docs/DEPLOY.md; on a machine with a running
# systemd, Debian starts haproxy, nginx and prometheus once installed: DEPLOY.md says how to
# stop them). libcurl4-gnutls-dev: a reader's client for its writer (service/src/replica/).
PACKAGES = build-essential cmake pkg-config python3 \
	libuv1-dev libhttp-parser-dev libroaring-dev libxxhash-dev libidn2-dev \
	libpsl-dev publicsuffix libutf8proc-dev libjansson-dev libcmocka-dev nettle-dev libicu-dev \
	universal-ctags \
	libpng-dev libjpeg62-turbo-dev libwebp-dev libzbar-dev libtesseract-dev libleptonica-dev \
	tesseract-ocr-vie tesseract-ocr-eng zlib1g-dev \
	imagemagick fonts-dejavu-core qrencode webp \
	help2man dpkg-dev file openssl systemd haproxy nginx prometheus wrk \
	libcurl4-gnutls-dev libphonenumber-dev \
	chromium nodejs npm \
	python3-pip python3-setuptools python3-wheel mypy

SAMPLE = $(BUILD)/sample.fidx
SAMPLE_INPUTS = $(wildcard data/sample/*) data/allowlist.csv

.PHONY: all deps configure build test test-sanitize run sample format clean

all: build

deps:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || \
	  { [ $$p = npm ] && command -v npm >/dev/null; } || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

configure: deps
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer (CI runs it too).
test-sanitize: deps
	@test -f $(SANITIZE_BUILD)/CMakeCache.txt || cmake -S . -B $(SANITIZE_BUILD) \
	  -DCMAKE_BUILD_TYPE=Debug -DFIDX_SANITIZE=address,undefined
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(JOBS)

# Rebuilt every time: it takes milliseconds and follows any change of the format.
sample: build
	$(BUILD)/indexer/fraudidx-indexer build -o $(SAMPLE) $(SAMPLE_INPUTS)

run: sample
	@if [ -x $(BUILD)/service/fraudidx-service ]; then \
	  echo "serving $(SAMPLE) on http://$(LISTEN)/"; \
	  exec $(BUILD)/service/fraudidx-service --snapshot $(SAMPLE) --listen $(LISTEN); \
	else \
	  $(BUILD)/indexer/fraudidx-indexer info $(SAMPLE); \
	  $(BUILD)/indexer/fraudidx-indexer lookup $(SAMPLE) "0912 000 001" "https://vietcombank.com.vn/"; \
	fi

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD)
