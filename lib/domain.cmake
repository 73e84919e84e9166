# lib/domain.cmake — the domain library (konduktor_domain): task specs, the
# user config, manifests, the pod wrapper, results, the status model,
# groups and inputs. Pure: files and memory only, never the network.

add_library(konduktor_domain STATIC
  envfile.c intervals.c labels.c pack.c randutil.c render.c tar.c task.c userconfig.c yamlfields.c yamltree.c)
target_include_directories(konduktor_domain PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}
                                                   ${CMAKE_BINARY_DIR}/generated)
target_link_libraries(konduktor_domain PUBLIC konduktor_util PkgConfig::YAML PkgConfig::CJSON)
