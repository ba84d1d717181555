# Turns data/banks.csv into a C table at build time, so the library carries the bank list
# without reading files at run time. The CSV has a header row and five columns
# (bin,code,short_name,name,aliases); fields hold no commas or double quotes, aliases are
# '|'-separated. Lines starting with '#' are comments.
function(fidx_generate_bank_table csv out_c)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${csv})
  file(STRINGS ${csv} lines ENCODING UTF-8)
  set(body "")
  set(count 0)
  set(first TRUE)
  foreach(line IN LISTS lines)
    if(line MATCHES "^#" OR line STREQUAL "")
      continue()
    endif()
    if(first)
      set(first FALSE)
      continue()
    endif()
    string(REPLACE ";" "|" line "${line}")
    string(REPLACE "," ";" fields "${line}")
    list(LENGTH fields n)
    if(NOT n EQUAL 5)
      message(FATAL_ERROR "${csv}: expected 5 fields in: ${line}")
    endif()
    list(GET fields 0 bin)
    list(GET fields 1 code)
    list(GET fields 2 short)
    list(GET fields 3 name)
    list(GET fields 4 aliases)
    if(NOT bin MATCHES "^[0-9][0-9][0-9][0-9][0-9][0-9]$")
      message(FATAL_ERROR "${csv}: bad BIN '${bin}'")
    endif()
    string(APPEND body "    {\"${bin}\", \"${code}\", \"${name}\", \"${short}\", \"${aliases}\"},\n")
    math(EXPR count "${count} + 1")
  endforeach()
  file(WRITE ${out_c}.tmp
"/* Generated from data/banks.csv by cmake/bank_table.cmake: do not edit. */
#include \"fidx/bank.h\"

const fidx_bank_t fidx__bank_table[] = {
${body}};
const size_t fidx__bank_table_count = ${count};
")
  configure_file(${out_c}.tmp ${out_c} COPYONLY)
endfunction()
