# Two Debian packages, chat-server and chat-client, from the install() rules' components:
#   cpack -G DEB -B OUTDIR          (in a build folder; README.md, "Install as a package")
# Their version is the project's (PROJECT_VERSION, the programs' --version); their library
# dependencies come from dpkg-shlibdeps (dpkg-dev). Include after every install() rule.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME qt-chat)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Qt Chat")
set(CPACK_PACKAGE_CONTACT "${CHAT_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON) # the build keeps its debug information; the packages do not
set(CPACK_COMPONENTS_ALL server client)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # chat-server_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# What dpkg-shlibdeps cannot see: Qt plugins, loaded at run time; systemd-sysusers, which
# makes the service's user.
set(CPACK_DEBIAN_SERVER_PACKAGE_NAME chat-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "libqt6sql6-sqlite, systemd | systemd-standalone-sysusers")
set(CPACK_COMPONENT_SERVER_DESCRIPTION # lines of at most 79 characters (lintian)
    "Qt Chat server: WebSocket chat with a browser client
A small self-hosted chat server. It relays messages between everyone
connected over WebSocket, keeps the history and the accounts in SQLite,
and serves a browser client on the same port. Includes the
chat-server.service systemd unit (not enabled on installation).")
set(chat_server_scripts)
foreach(script postinst prerm postrm) # CPack wants them by these very names
    configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/chat-server.${script}
                   ${PROJECT_BINARY_DIR}/packaging/debian/chat-server/${script} COPYONLY)
    list(APPEND chat_server_scripts ${PROJECT_BINARY_DIR}/packaging/debian/chat-server/${script})
endforeach()
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA ${chat_server_scripts})

set(CPACK_DEBIAN_CLIENT_PACKAGE_NAME chat-client)
set(CPACK_DEBIAN_CLIENT_PACKAGE_DEPENDS "qt6-qpa-plugins, libqt6svg6") # libqt6svg6: its icon
# Qt's own Chinese for its dialogs; somewhere to keep the login token.
set(CPACK_DEBIAN_CLIENT_PACKAGE_RECOMMENDS "qt6-translations-l10n, gnome-keyring | kwalletmanager")
set(CPACK_COMPONENT_CLIENT_DESCRIPTION
    "Qt Chat desktop client
The desktop window of Qt Chat, a small self-hosted chat: rooms, direct
messages, unread counts and mentions, the whole history, and messages
typed while offline sent when the server is back.")

include(CPack)
