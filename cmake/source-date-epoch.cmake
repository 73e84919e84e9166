# source-date-epoch.cmake — the one timestamp that release artefacts (man
# pages, archives) carry, so that building the same source twice gives the
# same bytes: $SOURCE_DATE_EPOCH if set (reproducible-builds.org), else the
# time of the commit being built, else 0.
function(konduktor_source_date_epoch source_dir out_var)
  if(DEFINED ENV{SOURCE_DATE_EPOCH} AND "$ENV{SOURCE_DATE_EPOCH}" MATCHES "^[0-9]+$")
    set(${out_var} "$ENV{SOURCE_DATE_EPOCH}" PARENT_SCOPE)
    return()
  endif()
  find_program(KONDUKTOR_GIT git)
  if(KONDUKTOR_GIT)
    execute_process(COMMAND ${KONDUKTOR_GIT} -C "${source_dir}" log -1 --format=%ct
                    OUTPUT_VARIABLE epoch OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE status ERROR_QUIET)
    if(status EQUAL 0 AND epoch MATCHES "^[0-9]+$")
      set(${out_var} "${epoch}" PARENT_SCOPE)
      return()
    endif()
  endif()
  set(${out_var} 0 PARENT_SCOPE)
endfunction()
