# gencli's code is layered: core < io < data < models < train < eval < bench < cli (< main). Each
# layer is a static library that may use only the layers below it, and the build enforces it:
# a layer's headers are reachable as "<layer>/..." only through an include folder of its own
# (build/layers/<layer>/<layer> -> src/<layer>), which reaches exactly the layers linked below
# it. An include that runs upward fails to compile: "models/model.h: No such file or directory".
set(GENCLI_LAYERS core io data models train eval bench cli)

# Relative includes ("../models/model.h") would step around the include folders; refuse them.
function(gencli_check_relative_includes)
  file(GLOB_RECURSE files ${PROJECT_SOURCE_DIR}/src/*.h ${PROJECT_SOURCE_DIR}/src/*.cpp)
  foreach(file ${files})
    file(STRINGS ${file} hits REGEX "^[ \t]*#[ \t]*include[ \t]*\"\\.\\./")
    if(hits)
      message(FATAL_ERROR "${file}: includes a path with ../ (${hits}); include \"<layer>/file.h\" so the "
                          "layering (cmake/Layers.cmake) is checked")
    endif()
  endforeach()
endfunction()

# gencli_add_layer(NAME [BELOW lower]): the library gencli_NAME of src/NAME/**.cpp, allowed
# to use `lower` and everything below that.
function(gencli_add_layer name)
  cmake_parse_arguments(ARG "" "BELOW" "" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  add_library(gencli_${name} STATIC ${sources})
  set(root ${CMAKE_BINARY_DIR}/layers/${name})
  file(MAKE_DIRECTORY ${root})
  if(NOT EXISTS ${root}/${name})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${name} ${root}/${name} SYMBOLIC)
  endif()
  target_include_directories(gencli_${name} PUBLIC ${root})
  if(ARG_BELOW)
    target_link_libraries(gencli_${name} PUBLIC gencli_${ARG_BELOW})
  endif()
  gencli_set_warnings(gencli_${name})
endfunction()
