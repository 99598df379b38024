# Resume at boot (port/posix/dist/): `make install` also installs
#   $(SYSTEMDUNITDIR)/tvc-resume.service  (default $(PREFIX)/lib/systemd/system)
#   $(INITDIR)/tvc-resume                  (default /etc/init.d; for boxes without systemd)
#   $(SYSCONFDIR)/tvc/tvc.conf             (default /etc; never overwritten once there)
# all under $(DESTDIR), with @BINDIR@ and @SYSCONFDIR@ filled in.
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INITDIR ?= $(SYSCONFDIR)/init.d
DIST_DIR := port/posix/dist
DIST_SED = sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

.PHONY: install-boot uninstall-boot
install-boot:
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(INITDIR) $(DESTDIR)$(SYSCONFDIR)/tvc
	$(DIST_SED) $(DIST_DIR)/tvc-resume.service.in > $(DESTDIR)$(SYSTEMDUNITDIR)/tvc-resume.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/tvc-resume.service
	$(DIST_SED) $(DIST_DIR)/tvc-resume.init.in > $(DESTDIR)$(INITDIR)/tvc-resume
	chmod 755 $(DESTDIR)$(INITDIR)/tvc-resume
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/tvc/tvc.conf ]; then \
	  echo "install: kept the existing $(DESTDIR)$(SYSCONFDIR)/tvc/tvc.conf"; \
	else \
	  $(DIST_SED) $(DIST_DIR)/tvc.conf.in > $(DESTDIR)$(SYSCONFDIR)/tvc/tvc.conf && \
	  chmod 644 $(DESTDIR)$(SYSCONFDIR)/tvc/tvc.conf && \
	  echo "install: $(DESTDIR)$(SYSCONFDIR)/tvc/tvc.conf (edit it, then: systemctl enable tvc-resume)"; \
	fi

# The configuration stays, as a package manager keeps a changed conffile.
uninstall-boot:
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/tvc-resume.service $(DESTDIR)$(INITDIR)/tvc-resume
