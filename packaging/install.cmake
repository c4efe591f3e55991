# What `cmake --install` puts besides the two programs (their install() lines are in
# server/CMakeLists.txt and client/app/CMakeLists.txt): the desktop entry, the icon, the
# AppStream metadata, the manual pages and the server's systemd unit. Components: `server` and
# `client`, one Debian package each (packaging/cpack.cmake).
include(GNUInstallDirs)

# The desktop client's id: the desktop file, the icon and the metainfo are named after it.
set(CHAT_APP_ID org.qtchat.ChatClient)
# Goes with PROJECT_VERSION: the AppStream release and the Debian changelog carry both.
set(CHAT_RELEASE_DATE 2026-12-01)
set(CHAT_PACKAGE_MAINTAINER "Qt Chat maintainers <maintainers@users.noreply.h-seed-7788451b.example>"
    CACHE STRING "The Maintainer of the .deb packages")

set(chat_packaging_dir ${PROJECT_SOURCE_DIR}/packaging)
set(chat_packaging_out ${PROJECT_BINARY_DIR}/packaging)

# --- the desktop client: entry, icon, metadata -------------------------------------------------
install(FILES ${chat_packaging_dir}/${CHAT_APP_ID}.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT client)

configure_file(${chat_packaging_dir}/${CHAT_APP_ID}.metainfo.xml.in
               ${chat_packaging_out}/${CHAT_APP_ID}.metainfo.xml @ONLY)
install(FILES ${chat_packaging_out}/${CHAT_APP_ID}.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo COMPONENT client)

# The icon is drawn once, as SVG; the hicolor theme's PNG sizes are rendered from it here, so
# the two cannot drift apart (Debian: librsvg2-bin).
find_program(CHAT_RSVG_CONVERT rsvg-convert)
if(NOT CHAT_RSVG_CONVERT)
    message(FATAL_ERROR "rsvg-convert not found: the icon's PNG sizes are made with it "
                        "(Debian: librsvg2-bin; scripts/install-deps.sh installs it)")
endif()
set(chat_icon_svg ${chat_packaging_dir}/icons/${CHAT_APP_ID}.svg)
install(FILES ${chat_icon_svg} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
        COMPONENT client)
set(chat_generated_files) # built with everything, installed below
foreach(size 16 22 24 32 48 64 128 256)
    set(png ${chat_packaging_out}/icons/${size}x${size}/${CHAT_APP_ID}.png)
    add_custom_command(OUTPUT ${png}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${chat_packaging_out}/icons/${size}x${size}
        COMMAND ${CHAT_RSVG_CONVERT} --width ${size} --height ${size} --output ${png} ${chat_icon_svg}
        DEPENDS ${chat_icon_svg}
        COMMENT "Rendering the ${size}x${size} icon"
        VERBATIM)
    list(APPEND chat_generated_files ${png})
    install(FILES ${png} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps
            COMPONENT client)
endforeach()

# --- manual pages: compressed here, as Debian wants them and man reads them -----------------
foreach(program chat-server chat-client)
    set(page ${chat_packaging_out}/man/${program}.1.gz)
    add_custom_command(OUTPUT ${page}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${chat_packaging_out}/man
        COMMAND sh -c "gzip -9 -n -c \"$0\" > \"$1\"" ${chat_packaging_dir}/man/${program}.1 ${page}
        DEPENDS ${chat_packaging_dir}/man/${program}.1
        VERBATIM)
    list(APPEND chat_generated_files ${page})
endforeach()
install(FILES ${chat_packaging_out}/man/chat-server.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        COMPONENT server)
install(FILES ${chat_packaging_out}/man/chat-client.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        COMPONENT client)

# --- the server's systemd unit ------------------------------------------------------------
# Its ExecStart names the installed program, which only the install step knows
# (`cmake --install --prefix`, or /usr when CPack installs into its staging folder), so it is
# written then. lib/systemd/system under the prefix: systemd reads /usr/lib/... and
# /usr/local/lib/... alike.
set(CHAT_SYSTEMD_UNIT_DIR lib/systemd/system)
install(CODE "
    set(unit \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CHAT_SYSTEMD_UNIT_DIR}/chat-server.service\")
    set(CHAT_SERVER_PROGRAM \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/chat-server\")
    message(STATUS \"Installing: \${unit}\")
    configure_file(\"${chat_packaging_dir}/systemd/chat-server.service.in\" \"\${unit}\" @ONLY)
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${unit}\")
" COMPONENT server)
install(FILES ${chat_packaging_dir}/systemd/chat-server.sysusers DESTINATION lib/sysusers.d
        RENAME chat-server.conf COMPONENT server)

# --- translations -------------------------------------------------------------------------
# Nothing to install: the client's own .qm files are compiled into the program
# (client/app/CMakeLists.txt, :/i18n), and Qt's come from Debian's qt6-translations-l10n (the
# client package recommends it). Should they ever be installed as files instead, their
# install(FILES ${qm_files} DESTINATION ${CMAKE_INSTALL_DATADIR}/chat-client/translations
# COMPONENT client) goes here.

# --- Debian's per-package documents: copyright and changelog ------------------------------
execute_process(COMMAND date -u -R -d "${CHAT_RELEASE_DATE} 12:00" OUTPUT_VARIABLE
                CHAT_RELEASE_DATE_RFC2822 OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
foreach(component server client)
    set(CHAT_DEB_PACKAGE chat-${component})
    set(doc ${chat_packaging_out}/doc/${CHAT_DEB_PACKAGE})
    configure_file(${chat_packaging_dir}/debian/changelog.in ${doc}/changelog @ONLY)
    add_custom_command(OUTPUT ${doc}/changelog.gz
        COMMAND gzip -9 -n -f -k ${doc}/changelog
        DEPENDS ${doc}/changelog
        VERBATIM)
    list(APPEND chat_generated_files ${doc}/changelog.gz)
    install(FILES ${chat_packaging_dir}/debian/copyright ${doc}/changelog.gz
            DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${CHAT_DEB_PACKAGE} COMPONENT ${component})
endforeach()

add_custom_target(chat-packaging-files ALL DEPENDS ${chat_generated_files})
