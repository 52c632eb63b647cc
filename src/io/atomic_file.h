#pragma once
// Whole-file writes that a reader never sees half-done.
#include <functional>
#include <string>

namespace gencli {

// Writes via a temporary file in the same folder (path + ".tmp.<pid>"), flushes and fsyncs
// it, then rename()s it over path. The writer callback gets the temporary path and must
// create that file. If the writer throws, the temporary is removed, the file at path is
// left untouched and the exception propagates. Failures to sync or rename throw UserError
// naming path. A symlinked path keeps its link (the target is replaced); an existing character
// device is written through (never replaced); any other non-regular file is refused.
void write_atomically(const std::string& path,
                      const std::function<void(const std::string& tmp_path)>& writer);

// write_atomically() for an in-memory buffer. Every write failure (ENOSPC, EFBIG, EIO, EACCES)
// is a UserError naming path and the reason, with the temporary removed.
void write_file_atomically(const std::string& path, const std::string& bytes);

// Reads a whole regular file; DataError naming the path when it cannot (or when it is a
// directory, FIFO or device).
std::string read_file_bytes(const std::string& path);

// The temporary name write_atomically() uses for path (exposed for tests).
std::string atomic_temp_path(const std::string& path);

// True for a file name <name>.tmp.<pid> whose process no longer exists: what a writer killed
// mid-write leaves behind. Another live process's temporary is never stale.
bool is_stale_temporary(const std::string& file_name);

}  // namespace gencli
