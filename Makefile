# make            release binaries with the Swift runtime linked in (.build-release/release; scripts/build-release)
# make test       every test (same as scripts/test)
# make install    binaries, systemd units, sysusers and tmpfiles files and a default access file
#                 (PREFIX=/usr/local, DESTDIR=)
# make deb        dist/whsed_VERSION_ARCH.deb (VERSION= defaults to whsed's own; scripts/build-deb)
PREFIX ?= /usr/local
DESTDIR ?=
UNITDIR ?= /etc/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d
RELEASE = .build-release/release
VERSION ?= $(shell sed -n 's/.*static let version = "\([^"]*\)".*/\1/p' Sources/WhseServer/Server.swift)

all:
	./scripts/build-release

test:
	./scripts/test

deb: all
	./scripts/build-deb $(VERSION)

install: all
	install -D -m 0755 $(RELEASE)/whsed $(DESTDIR)$(PREFIX)/bin/whsed
	install -D -m 0755 $(RELEASE)/whsectl $(DESTDIR)$(PREFIX)/bin/whsectl
	install -D -m 0644 systemd/whsed.socket $(DESTDIR)$(UNITDIR)/whsed.socket
	sed 's#/usr/local/bin/whsed#$(PREFIX)/bin/whsed#' systemd/whsed.service > whsed.service.tmp
	install -D -m 0644 whsed.service.tmp $(DESTDIR)$(UNITDIR)/whsed.service && rm -f whsed.service.tmp
	install -D -m 0644 systemd/whsed.sysusers $(DESTDIR)$(SYSUSERSDIR)/whsed.conf
	install -D -m 0644 systemd/whsed.tmpfiles $(DESTDIR)$(TMPFILESDIR)/whsed.conf
	[ -e $(DESTDIR)/etc/whsed/access ] || install -D -m 0644 systemd/access.example $(DESTDIR)/etc/whsed/access
	for f in man/*.1; do install -D -m 0644 $$f $(DESTDIR)$(PREFIX)/share/man/man1/$$(basename $$f); done
	for f in man/*.8; do install -D -m 0644 $$f $(DESTDIR)$(PREFIX)/share/man/man8/$$(basename $$f); done
	install -D -m 0644 completions/whsectl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/whsectl
	install -D -m 0644 completions/whsectl.zsh $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_whsectl
	install -D -m 0644 completions/whsectl.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/whsectl.fish
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/whsed/README.md
	install -D -m 0644 protocol.md $(DESTDIR)$(PREFIX)/share/doc/whsed/protocol.md
	@echo "then: systemd-sysusers && systemd-tmpfiles --create whsed.conf && systemctl daemon-reload" \
	  "&& systemctl enable --now whsed.socket"

.PHONY: all test deb install
