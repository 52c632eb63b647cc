# Build-level differences between the LibTorch lines gencli builds against (Debian's 1.13 and
# the pip wheel's 2.x). Source-level differences live in src/core/torch_compat.h.

# The pip wheel ships fmt 12's headers inside torch/include, and its -isystem folder then
# hides Debian's fmt 9, which Debian's spdlog was compiled against: spdlog's headers fail to
# compile, or worse, compile against a different fmt than the library. A folder holding only
# a link to Debian's fmt, searched before LibTorch's, makes <fmt/...> mean Debian's again.
# LibTorch's own public headers used here do not include fmt.
function(gencli_prefer_system_fmt target)
  set(torch_fmt "")
  foreach(dir ${TORCH_INCLUDE_DIRS})
    if(EXISTS ${dir}/fmt/core.h)
      set(torch_fmt ${dir}/fmt)
    endif()
  endforeach()
  # The fmt spdlog was built with: Debian's in /usr/include, or one unpacked beside a build
  # (scripts/gpu_check.sh brings Debian's packages to machines without them).
  set(fmt_roots /usr/include)
  if(TARGET fmt::fmt)
    get_target_property(fmt_roots fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
  endif()
  find_path(system_fmt_root fmt/core.h PATHS ${fmt_roots} NO_DEFAULT_PATH)
  if(NOT torch_fmt OR NOT system_fmt_root)
    return()
  endif()
  set(shim ${CMAKE_BINARY_DIR}/compat/system-fmt)
  file(MAKE_DIRECTORY ${shim})
  if(NOT EXISTS ${shim}/fmt)
    file(CREATE_LINK ${system_fmt_root}/fmt ${shim}/fmt SYMBOLIC)
  endif()
  message(STATUS "LibTorch ships its own fmt (${torch_fmt}); spdlog keeps ${system_fmt_root}/fmt")
  target_include_directories(${target} SYSTEM BEFORE PUBLIC ${shim})
endfunction()

# LibTorch 2.10 and later refuse to compile below C++20 (ATen/ATen.h: "#error C++20 or later
# compatible compiler is required"); gencli's sources are C++17 and compile as C++20 too, so
# the standard follows what the LibTorch found demands.
function(gencli_cxx_standard_for_torch out_var)
  set(standard 17)
  foreach(dir ${TORCH_INCLUDE_DIRS})
    if(EXISTS ${dir}/ATen/ATen.h)
      file(STRINGS ${dir}/ATen/ATen.h needs_20 REGEX "C\\+\\+20 or later")
      if(needs_20)
        set(standard 20)
      endif()
    endif()
  endforeach()
  set(${out_var} ${standard} PARENT_SCOPE)
endfunction()

# Two LibTorch lines on one machine: TorchConfig.cmake of the pip wheel looks for libc10 with
# find_library(... PATHS its own lib folder), which still searches the system first and so
# finds Debian's 1.13 libc10 when libtorch-dev is installed. Link the wheel's own.
function(gencli_use_one_libtorch)
  set(own_c10 ${TORCH_INSTALL_PREFIX}/lib/libc10.so)
  if(c10_LIBRARY AND EXISTS ${own_c10} AND NOT c10_LIBRARY STREQUAL own_c10)
    message(STATUS "Using ${own_c10}, not ${c10_LIBRARY}")
    list(TRANSFORM TORCH_LIBRARIES REPLACE "^${c10_LIBRARY}$" "${own_c10}")
    set(TORCH_LIBRARIES ${TORCH_LIBRARIES} PARENT_SCOPE)
  endif()
endfunction()

# The wheel's libtorch_cuda.so finds its CUDA libraries (NCCL, cuDNN, cuBLAS, ...) in the
# nvidia/*/lib folders beside it through its own RPATH, which the dynamic loader searches
# first. The linker, though, searches the executable's -rpath first, where the CUDA toolkit's
# folder holds an older NCCL without the symbols the wheel needs. Tell it where to look.
function(gencli_link_wheel_cuda_libraries target)
  file(GLOB dirs LIST_DIRECTORIES true ${TORCH_INSTALL_PREFIX}/../nvidia/*/lib)
  if(dirs)
    list(JOIN dirs ":" joined)
    target_link_options(${target} INTERFACE "LINKER:-rpath-link,${joined}")
  endif()
endfunction()

# LibTorch's at::parallel_for, which gencli's own kernels call, is header code: with LibTorch's
# OpenMP backend (Debian's 1.13 and the pip wheel both) it splits the work over threads only
# in code compiled with OpenMP, and otherwise runs it all on the calling thread. So gencli
# compiles with OpenMP where LibTorch uses it. With GCC the runtime is GNU's libgomp.so.1,
# which the loader takes once by its soname for both (the pip wheel ships its own copy under
# that name): LibTorch's ops and gencli's share one pool and at::set_num_threads.
function(gencli_use_torch_openmp target)
  set(openmp FALSE)
  foreach(dir ${TORCH_INCLUDE_DIRS})
    if(EXISTS ${dir}/ATen/Config.h)
      file(STRINGS ${dir}/ATen/Config.h backend REGEX "define AT_PARALLEL_OPENMP 1")
      if(backend)
        set(openmp TRUE)
      endif()
    endif()
  endforeach()
  if(NOT openmp)
    return()
  endif()
  find_package(OpenMP REQUIRED COMPONENTS CXX)
  if(NOT "gomp" IN_LIST OpenMP_CXX_LIB_NAMES)
    message(WARNING "OpenMP runtime ${OpenMP_CXX_LIB_NAMES} is not LibTorch's libgomp: two thread pools may load")
  endif()
  target_link_libraries(${target} PUBLIC OpenMP::OpenMP_CXX)
  message(STATUS "LibTorch parallelises with OpenMP: gencli compiles with ${OpenMP_CXX_FLAGS}")
endfunction()
