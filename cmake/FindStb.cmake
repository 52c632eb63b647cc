# Finds the stb single-file headers (Debian: libstb-dev puts them in /usr/include/stb).
# Defines the header-only target Stb::Stb; the implementations are compiled in src/io/stb_impl.cpp.
find_path(Stb_INCLUDE_DIR NAMES stb_image_write.h PATH_SUFFIXES stb)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Stb REQUIRED_VARS Stb_INCLUDE_DIR)
if(Stb_FOUND AND NOT TARGET Stb::Stb)
  add_library(Stb::Stb INTERFACE IMPORTED)
  set_target_properties(Stb::Stb PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${Stb_INCLUDE_DIR}")
endif()
mark_as_advanced(Stb_INCLUDE_DIR)
