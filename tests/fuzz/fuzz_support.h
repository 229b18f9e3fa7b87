// What the fuzz harnesses share: the input as a file a reader can open by path, a scratch
// directory for the files a harness writes, and the checks that turn a misbehaving reader into a
// finding (an abort the fuzzer and the replay driver both report).
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

namespace mmusim::fuzz {

// A finding: the message, then abort() (libFuzzer saves the input as a crash).
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "mmusim fuzz finding: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// An exception other than the reader's documented error is a finding.
[[noreturn]] inline void unexpected(const std::exception& e) {
  finding(std::string("unexpected exception: ") + e.what());
}

// The input bytes in an anonymous in-memory file, opened by path ("/proc/self/fd/N") as a user's
// file would be, or through its descriptor.
class MemFile {
 public:
  MemFile(const uint8_t* data, size_t size) {
    m_fd = memfd_create("mmusim-fuzz-input", MFD_CLOEXEC);
    if (m_fd < 0) finding("memfd_create failed");
    for (size_t done = 0; done < size;) {
      const ssize_t n = ::write(m_fd, data + done, size - done);
      if (n <= 0) finding("writing the memfd failed");
      done += static_cast<size_t>(n);
    }
    ::lseek(m_fd, 0, SEEK_SET);
  }
  ~MemFile() { ::close(m_fd); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  std::string path() const { return "/proc/self/fd/" + std::to_string(m_fd); }
  // A new descriptor of the file at offset 0, for readers that take a descriptor over.
  int reopen() const {
    const int fd = ::open(path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) finding("reopening the memfd failed");
    return fd;
  }

 private:
  int m_fd = -1;
};

// A directory of this process's own (under $TMPDIR): harnesses overwrite the same few names in it
// on every input. Removed when the process exits normally.
inline const std::filesystem::path& scratch_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      path = std::filesystem::temp_directory_path() /
             ("mmusim-fuzz-" + std::to_string(::getpid()));
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

// A reader that leaves a descriptor open on some input exhausts the process's descriptors after a
// few thousand inputs: as many descriptors must be open after an input as before it.
inline int open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) finding("cannot list /proc/self/fd");
  int n = 0;
  while (const dirent* e = ::readdir(dir)) n += e->d_name[0] != '.';
  ::closedir(dir);
  return n;
}
inline void check_no_fd_leak(int before) {
  const int after = open_fds();
  if (after != before)
    finding("descriptors left open: " + std::to_string(before) + " open before the input, " +
            std::to_string(after) + " after");
}

}  // namespace mmusim::fuzz
