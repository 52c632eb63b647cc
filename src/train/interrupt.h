#pragma once
// Ctrl-C and SIGTERM ask the training loop to stop at the end of the current step,
// save a checkpoint and exit 130. A second Ctrl-C ends the process at once.
namespace gencli {
void install_interrupt_handlers();
bool interrupt_requested();
}
