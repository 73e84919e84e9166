# render.cmake — one man page from its scdoc source: the page itself (for
# `man -l`) and a copy compressed as Debian installs it (gzip -9n).
# cmake -DSCDOC=… -DGZIP=… -DINPUT=x.1.scd -DOUTPUT=x.1 -DSOURCE_DIR=… -P render.cmake
include("${SOURCE_DIR}/cmake/source-date-epoch.cmake")
konduktor_source_date_epoch("${SOURCE_DIR}" epoch)

# scdoc dates the page from SOURCE_DATE_EPOCH, so the same source gives
# the same page.
execute_process(COMMAND ${CMAKE_COMMAND} -E env SOURCE_DATE_EPOCH=${epoch} ${SCDOC}
                INPUT_FILE "${INPUT}" OUTPUT_FILE "${OUTPUT}.tmp"
                ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  file(REMOVE "${OUTPUT}.tmp")
  message(FATAL_ERROR "scdoc: ${INPUT}: ${errors}")
endif()
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
execute_process(COMMAND ${GZIP} -9nc INPUT_FILE "${OUTPUT}" OUTPUT_FILE "${OUTPUT}.gz.tmp"
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "gzip failed on ${OUTPUT}")
endif()
file(RENAME "${OUTPUT}.gz.tmp" "${OUTPUT}.gz")
