# `cmake --install` and `cpack -G DEB` (docs/DEPLOY.md): the two programs, their man pages,
# the systemd units and example configs; the .deb adds a `fraudidx` system user and the data
# directory in its postinst. Included once from the top CMakeLists.txt, after the targets.
include(GNUInstallDirs)
if(NOT TARGET fraudidx-service OR NOT TARGET fraudidx-indexer)
  return() # a tree without the service installs nothing
endif()

set(FIDX_DEPLOY_DIR ${CMAKE_SOURCE_DIR}/deploy)

# One version for the programs and the package: the service's own (what `--version` prints),
# read from its header so that the two cannot drift apart.
file(GLOB_RECURSE FIDX_SERVICE_HEADER ${CMAKE_SOURCE_DIR}/service/src/service.h)
if(NOT FIDX_SERVICE_HEADER)
  message(FATAL_ERROR "install.cmake: service/src/**/service.h not found (it holds the version)")
endif()
list(GET FIDX_SERVICE_HEADER 0 FIDX_SERVICE_HEADER)
file(STRINGS ${FIDX_SERVICE_HEADER} FIDX_VERSION_LINE
     REGEX "^#define FIDX__SERVICE_VERSION \"[0-9]+\\.[0-9]+\\.[0-9]+\"")
if(NOT FIDX_VERSION_LINE MATCHES "\"([0-9]+\\.[0-9]+\\.[0-9]+)\"")
  message(FATAL_ERROR "install.cmake: no FIDX__SERVICE_VERSION \"X.Y.Z\" in ${FIDX_SERVICE_HEADER}")
endif()
set(FIDX_VERSION ${CMAKE_MATCH_1})
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${FIDX_SERVICE_HEADER})

install(TARGETS fraudidx-service fraudidx-indexer RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Man pages, made at build time by help2man from the programs' own --help (so they cannot
# disagree with the programs) plus a hand-written include per program (deploy/man/*.h2m:
# description, files, examples, see also). Without help2man the build goes on without them;
# the deploy tests then fail, and `make deps` installs it.
find_program(FIDX_HELP2MAN help2man)
if(FIDX_HELP2MAN AND NOT CMAKE_CROSSCOMPILING)
  set(FIDX_MAN_PAGES)
  foreach(prog fraudidx-service fraudidx-indexer)
    set(page ${CMAKE_CURRENT_BINARY_DIR}/man/${prog}.1)
    add_custom_command(
      OUTPUT ${page}.gz
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
      COMMAND ${FIDX_HELP2MAN} --no-info --no-discard-stderr --version-string=${FIDX_VERSION}
              --include=${FIDX_DEPLOY_DIR}/man/${prog}.h2m --output=${page} $<TARGET_FILE:${prog}>
      # -n: no name or time stamp in the gzip header, so the package builds the same twice.
      COMMAND gzip -9nf ${page}
      DEPENDS ${prog} ${FIDX_DEPLOY_DIR}/man/${prog}.h2m
      COMMENT "help2man: ${prog}.1"
      VERBATIM)
    list(APPEND FIDX_MAN_PAGES ${page}.gz)
  endforeach()
  add_custom_target(fidx_man ALL DEPENDS ${FIDX_MAN_PAGES})
  install(FILES ${FIDX_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man pages (make deps installs it)")
endif()

# The units name the programs by their installed path: /usr/bin in the .deb, P/bin for
# `cmake --install --prefix P` (systemd also reads /usr/local/lib/systemd/system). The path is
# put in at install time, when the prefix is known; deploy/systemd/ keeps the /usr/bin form.
foreach(unit fraudidx.service fraudidx-reader@.service)
  install(CODE "
    file(READ [[${FIDX_DEPLOY_DIR}/systemd/${unit}]] text)
    string(REPLACE /usr/bin/fraudidx- \${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/fraudidx-
           text \"\${text}\")
    set(dest \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/systemd/system/${unit}\")
    message(STATUS \"Installing: \${dest}\")
    file(WRITE \"\${dest}\" \"\${text}\")
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES \${dest})")
endforeach()

# Examples, never live configuration: the tokens file is a secret the operator writes, and the
# environment files are copied to /etc/fraudidx by the .deb's postinst only when absent.
install(FILES ${FIDX_DEPLOY_DIR}/examples/fraudidx.env ${FIDX_DEPLOY_DIR}/examples/reader.env
              ${FIDX_DEPLOY_DIR}/examples/tokens.example
              ${FIDX_DEPLOY_DIR}/haproxy/haproxy.cfg ${FIDX_DEPLOY_DIR}/nginx/fraudidx.conf
              ${FIDX_DEPLOY_DIR}/prometheus/alerts.yml ${FIDX_DEPLOY_DIR}/grafana/fraudidx.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${CMAKE_SOURCE_DIR}/docs/DEPLOY.md ${CMAKE_SOURCE_DIR}/docs/SERVICE.md
              ${CMAKE_SOURCE_DIR}/docs/OPERATIONS.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The Debian package. Depends comes from dpkg-shlibdeps over the installed programs (so it
# names exactly the libraries they link, at the versions they need), plus adduser for the
# postinst.
set(CPACK_PACKAGE_NAME fraudidx)
set(CPACK_PACKAGE_VERSION ${FIDX_VERSION})
set(CPACK_PACKAGE_VENDOR fraudidx)
set(FIDX_PACKAGE_MAINTAINER "fraudidx maintainers <fraudidx@localhost>"
    CACHE STRING "the .deb's Maintainer field: set it to who answers for the package")
set(CPACK_PACKAGE_CONTACT ${FIDX_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "fraud-indicator lookup service for Vietnam")
# The summary is the Description's first line; this is the rest.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "fraudidx checks phone numbers, bank accounts, social accounts, links, domains and\n\
e-mail addresses against known scam indicators in microseconds. fraudidx-indexer\n\
builds snapshots from CSV, JSON Lines, MISP and STIX feeds; fraudidx-service\n\
serves them over HTTP (lookups, post scanning, the citizens' page, the analysts'\n\
API with a write-ahead log). Ships systemd units for a writer and readers.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "")
# Installed with DESTDIR=staging and prefix /usr, whatever CMAKE_INSTALL_PREFIX says, so that
# install(CODE) above sees the prefix the package really has.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${FIDX_DEPLOY_DIR}/debian/postinst
                                       ${FIDX_DEPLOY_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_GENERATOR DEB)
include(CPack)
