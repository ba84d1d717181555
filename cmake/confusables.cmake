# The confusable-character table of the look-alike check (core/src/lookup/lookalike.c),
# generated at build time from ICU's spoof checker by cmake/confusables_gen.c. ICU is needed
# to build, not to run: the library carries the table and never calls ICU.
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-i18n icu-uc)

function(fidx_generate_confusables out_c)
  add_executable(fidx_confusables_gen ${CMAKE_SOURCE_DIR}/cmake/confusables_gen.c)
  target_link_libraries(fidx_confusables_gen PRIVATE PkgConfig::ICU)
  add_custom_command(OUTPUT ${out_c}
    COMMAND fidx_confusables_gen > ${out_c}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${out_c}.tmp ${out_c}
    DEPENDS fidx_confusables_gen VERBATIM)
endfunction()
