#pragma once
// What the kernel knows about this process: its peak resident memory and its age.

namespace gencli {

// The most resident memory this process has held so far, in MiB (getrusage's ru_maxrss).
double peak_rss_mb();

// Seconds since this process started (the kernel's start time in /proc/self/stat against
// /proc/uptime, to a clock tick); 0 where /proc cannot be read.
double process_age_seconds();

}  // namespace gencli
