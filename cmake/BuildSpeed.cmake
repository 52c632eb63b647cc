# A fresh build in minutes, not half an hour (measured on 2 cores in README "Building").
#
# Every translation unit that includes LibTorch pays ~16 s before its first line of its own:
# the template instantiations LibTorch's headers leave pending, redone in each unit even with
# the precompiled header. So each target's LibTorch sources compile as a few unity units, and
# a fresh build pays that price a dozen times instead of a hundred. GENCLI_UNITY=OFF compiles
# file by file (to find a name clash between two files of one unit).
option(GENCLI_UNITY "Compile each target's LibTorch sources as a few unity translation units" ON)
set(GENCLI_UNITY_BATCH 12 CACHE STRING "Sources per unity translation unit")

# gencli's own LibTorch code is mostly glue around LibTorch's compiled kernels, so it does not
# need -O3. scripts/bench_compare.sh put -O2 and -O1 level with -O3 within this machine's
# noise (gan_mnist, gpt_char: 0.97-1.17x, 4 rounds), but one -O1 run had the char GPT at
# 0.90x, so -O2, which still compiles a unity unit in about two thirds of -O3's time. The
# torch-free sources, where gencli's own loops are (the fused Adam kernel, SHA-256, PNG and
# IDX codecs), keep the build type's -O3.
set(GENCLI_TORCH_CODE_OPT "-O2" CACHE STRING
    "Optimisation flag for sources that use LibTorch in Release builds (empty: the build type's)")

# gencli_speed_up_build(TARGETS t... TORCH_FREE_SOURCES s...)
function(gencli_speed_up_build)
  cmake_parse_arguments(ARG "" "" "TARGETS;TORCH_FREE_SOURCES" ${ARGN})
  set_source_files_properties(${ARG_TORCH_FREE_SOURCES} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  foreach(target ${ARG_TARGETS})
    if(GENCLI_UNITY)
      set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${GENCLI_UNITY_BATCH})
    endif()
    if(GENCLI_TORCH_CODE_OPT)
      target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:${GENCLI_TORCH_CODE_OPT}>)
    endif()
  endforeach()
  if(GENCLI_TORCH_CODE_OPT)
    # Source options come after the target's on the command line, so -O3 wins here.
    set_property(SOURCE ${ARG_TORCH_FREE_SOURCES} APPEND PROPERTY COMPILE_OPTIONS $<$<CONFIG:Release>:-O3>)
  endif()
endfunction()
