# A translation unit that includes torch/torch.h takes ~20 s to compile; precompiling the
# heavy headers once lets every other target reuse them (target_precompile_headers REUSE_FROM).
function(gencli_use_torch_pch target)
  target_precompile_headers(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src/pch.h)
endfunction()
