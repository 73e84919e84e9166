# lib/domain.cmake — the domain library (konduktor_domain): task specs, the
# user config, manifests, the pod wrapper, results, the status model,
# groups and inputs. Pure: files and memory only, never the network.

# The pod wrapper is a POSIX sh script kept in its own file for review;
# it is compiled in as a C string (generated/pod_wrapper_sh.h). Written
# verbatim (no @VAR@ substitution: the script uses "$@"), and copied only
# when it changed so that configuring again does not rebuild everything.
set(KONDUKTOR_POD_WRAPPER ${CMAKE_CURRENT_SOURCE_DIR}/pod-wrapper.sh)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KONDUKTOR_POD_WRAPPER})
file(READ ${KONDUKTOR_POD_WRAPPER} pod_wrapper_text)
string(REPLACE "\\" "\\\\" pod_wrapper_text "${pod_wrapper_text}")
string(REPLACE "\"" "\\\"" pod_wrapper_text "${pod_wrapper_text}")
string(REPLACE "\n" "\\n\"\n\t\"" pod_wrapper_text "${pod_wrapper_text}")
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/pod_wrapper_sh.h.tmp
     "/* Generated from lib/pod-wrapper.sh by lib/domain.cmake: do not edit. */\n"
     "static const char pod_wrapper_sh[] =\n\t\"${pod_wrapper_text}\";\n")
configure_file(${CMAKE_CURRENT_BINARY_DIR}/pod_wrapper_sh.h.tmp
               ${CMAKE_BINARY_DIR}/generated/pod_wrapper_sh.h COPYONLY)

add_library(konduktor_domain STATIC
  envfile.c group.c groupresults.c inputs.c labels.c manifest.c pack.c randutil.c render.c
  result.c status.c tar.c task.c userconfig.c yamlfields.c)
target_include_directories(konduktor_domain PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}
                                                   ${CMAKE_BINARY_DIR}/generated)
target_link_libraries(konduktor_domain PUBLIC konduktor_util PkgConfig::YAML PkgConfig::CJSON)
