#include "models/trace_import.h"

#include <fcntl.h>
#include <lzma.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <vector>

namespace mmusim {

namespace {

constexpr uint64_t kTickEvery = 65536;

// A VMA ends after its last page, so none can hold the last page of the 64-bit address space
// (its end would wrap to 0): an access there cannot be replayed.
constexpr uint64_t kLastPage = ~uint64_t{0} << 12;
const char* const kLastPageError = "address in the last page of the 64-bit address space";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A gzip or plain byte stream (zlib reads plain input through unchanged).
class GzInput {
 public:
  GzInput(int fd, const std::string& name) : m_name(name) {
    m_gz = gzdopen(fd, "rb");
    if (!m_gz) {
      ::close(fd);
      throw TraceError(name + ": cannot read");
    }
    gzbuffer(m_gz, 1 << 18);
  }
  ~GzInput() { gzclose(m_gz); }
  // Reads up to n bytes; 0 at the end. Throws on a damaged or truncated gzip stream.
  size_t read(void* buf, size_t n, const std::string& where) {
    const int got = gzread(m_gz, buf, static_cast<unsigned>(n));
    int err = Z_OK;
    const char* msg = gzerror(m_gz, &err);
    if (got < 0 || (err != Z_OK && err != Z_BUF_ERROR) || (got == 0 && err == Z_BUF_ERROR))
      throw TraceError(m_name + ":" + where + ": gzip: " + (msg && *msg ? msg : "read error"));
    return static_cast<size_t>(got);
  }

 private:
  std::string m_name;
  gzFile m_gz;
};

int open_input(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw TraceError(path + ": cannot open: " + std::strerror(errno));
  return fd;
}

uint64_t read_lackey(GzInput& in, const std::string& name, TraceBuilder& builder,
                     const ImportTick& tick) {
  std::vector<char> buf(1 << 18);
  size_t have = 0, line_no = 0;
  uint64_t records = 0;
  bool eof = false;
  while (true) {
    // Refill after the unconsumed tail.
    if (!eof && have < buf.size()) {
      const size_t got = in.read(buf.data() + have, buf.size() - have, std::to_string(line_no + 1));
      if (got == 0) eof = true;
      have += got;
    }
    size_t pos = 0;
    while (pos < have) {
      const char* line = buf.data() + pos;
      const void* nl = std::memchr(line, '\n', have - pos);
      if (!nl && !eof) break;
      const size_t len = nl ? static_cast<const char*>(nl) - line : have - pos;
      pos += len + (nl ? 1 : 0);
      ++line_no;
      TraceRecord r;
      try {
        if (!parse_lackey_line(line, len, r)) continue;
      } catch (const std::invalid_argument& e) {
        throw TraceError(name + ":" + std::to_string(line_no) + ": " + e.what());
      }
      if (r.addr >= kLastPage)
        throw TraceError(name + ":" + std::to_string(line_no) + ": " + kLastPageError);
      ++records;
      if (tick && records % kTickEvery == 0) tick(records);
      if (!builder.add(r)) return line_no;
    }
    if (pos == 0 && have == buf.size())
      throw TraceError(name + ":" + std::to_string(line_no + 1) + ": line too long");
    std::memmove(buf.data(), buf.data() + pos, have - pos);
    have -= pos;
    if (eof && have == 0) return line_no;
  }
}

// ChampSim input sources: xz (liblzma) or gzip/plain (zlib), picked by the file's magic.
class ChampSimInput {
 public:
  // What the xz decoder may allocate: a stream's header names its dictionary size, and a crafted
  // one would otherwise have the decoder ask for gigabytes.
  static constexpr uint64_t kXzMemLimit = uint64_t{256} << 20;
  explicit ChampSimInput(const std::string& path) : m_path(path) {
    const int fd = open_input(path);
    uint8_t magic[6] = {};
    const ssize_t n = ::pread(fd, magic, sizeof magic, 0);
    static const uint8_t kXz[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
    if (n == 6 && std::memcmp(magic, kXz, 6) == 0) {
      m_file = fdopen(fd, "rb");
      if (!m_file) {
        ::close(fd);
        throw TraceError(path + ": cannot read");
      }
      if (lzma_stream_decoder(&m_xz, kXzMemLimit, LZMA_CONCATENATED) != LZMA_OK)
        throw TraceError(path + ": cannot start the xz decoder");
      m_xz_in.resize(1 << 16);
    } else {
      m_gz = std::make_unique<GzInput>(fd, path);
    }
  }
  ~ChampSimInput() {
    if (m_file) {
      lzma_end(&m_xz);
      std::fclose(m_file);
    }
  }
  size_t read(uint8_t* buf, size_t n, const std::string& where) {
    if (m_gz) return m_gz->read(buf, n, where);
    m_xz.next_out = buf;
    m_xz.avail_out = n;
    while (m_xz.avail_out > 0 && !m_done) {
      lzma_action action = LZMA_RUN;
      if (m_xz.avail_in == 0) {
        m_xz.next_in = m_xz_in.data();
        m_xz.avail_in = std::fread(m_xz_in.data(), 1, m_xz_in.size(), m_file);
        if (m_xz.avail_in == 0) action = LZMA_FINISH;
      }
      const lzma_ret ret = lzma_code(&m_xz, action);
      if (ret == LZMA_STREAM_END) {
        m_done = true;
      } else if (ret != LZMA_OK) {
        throw TraceError(m_path + ":" + where + ": xz: " +
                         (ret == LZMA_DATA_ERROR       ? "corrupt data"
                          : ret == LZMA_BUF_ERROR      ? "truncated stream"
                          : ret == LZMA_MEMLIMIT_ERROR ? "the stream needs more than 256 MiB to "
                                                         "decode (xz -9 needs 65 MiB)"
                                                       : "decoder error " + std::to_string(ret)));
      }
    }
    return n - m_xz.avail_out;
  }

 private:
  std::string m_path;
  std::unique_ptr<GzInput> m_gz;
  std::FILE* m_file = nullptr;
  lzma_stream m_xz = LZMA_STREAM_INIT;
  std::vector<uint8_t> m_xz_in;
  bool m_done = false;
};

uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

bool parse_lackey_line(const char* line, size_t len, TraceRecord& r) {
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ')) --len;
  if (len == 0) return false;
  if (len >= 2 && ((line[0] == '=' && line[1] == '=') || (line[0] == '-' && line[1] == '-')))
    return false;
  auto bad = [&](const char* why) {
    throw std::invalid_argument(std::string(why) + ": '" +
                                std::string(line, std::min<size_t>(len, 80)) + "'");
  };
  if (len < 4 || line[2] != ' ') bad("not a lackey record");
  if (line[0] == 'I' && line[1] == ' ')
    r.kind = TraceKind::kFetch;
  else if (line[0] == ' ' && line[1] == 'L')
    r.kind = TraceKind::kLoad;
  else if (line[0] == ' ' && line[1] == 'S')
    r.kind = TraceKind::kStore;
  else if (line[0] == ' ' && line[1] == 'M')
    r.kind = TraceKind::kModify;
  else
    bad("not a lackey record");
  size_t i = 3;
  while (i < len && line[i] == ' ') ++i;
  uint64_t addr = 0;
  size_t digits = 0;
  for (int d; i < len && (d = hex_digit(line[i])) >= 0; ++i, ++digits) {
    if (digits == 16) bad("address longer than 64 bits");
    addr = addr << 4 | static_cast<uint64_t>(d);
  }
  if (digits == 0 || i == len || line[i] != ',') bad("expected ADDRESS,SIZE");
  ++i;
  uint64_t size = 0;
  digits = 0;
  for (; i < len && line[i] >= '0' && line[i] <= '9'; ++i, ++digits) {
    size = size * 10 + static_cast<uint64_t>(line[i] - '0');
    if (size > 0xffffffffu) bad("size out of range");
  }
  if (digits == 0 || i != len) bad("expected ADDRESS,SIZE");
  r.addr = addr;
  r.size = static_cast<uint32_t>(size);
  r.thread = 0;
  return true;
}

uint64_t import_lackey(const std::string& path, TraceBuilder& builder, const ImportTick& tick) {
  GzInput in(open_input(path), path);
  return read_lackey(in, path, builder, tick);
}

uint64_t import_lackey_fd(int fd, const std::string& name, TraceBuilder& builder,
                          const ImportTick& tick) {
  GzInput in(fd, name);
  return read_lackey(in, name, builder, tick);
}

uint64_t import_champsim(const std::string& path, TraceBuilder& builder, const ImportTick& tick) {
  constexpr size_t kRecord = 64, kBatch = 4096;
  ChampSimInput in(path);
  std::vector<uint8_t> buf(kRecord * kBatch);
  uint64_t n = 0;
  size_t have = 0;
  while (true) {
    const size_t got = in.read(buf.data() + have, buf.size() - have,
                               " record " + std::to_string(n + have / kRecord));
    have += got;
    const size_t whole = have / kRecord;
    if (got == 0 && have % kRecord)
      throw TraceError(path + ": record " + std::to_string(n + whole) + ": truncated (" +
                       std::to_string(have % kRecord) + " of 64 bytes)");
    for (size_t k = 0; k < whole; ++k, ++n) {
      const uint8_t* p = buf.data() + k * kRecord;
      // u64 ip; u8 is_branch; u8 branch_taken; u8 dst_regs[2]; u8 src_regs[4];
      // u64 destination_memory[2]; u64 source_memory[4]
      const uint64_t ip = get_u64(p);
      if (ip == 0 || p[8] > 1 || p[9] > 1)
        throw TraceError(path + ": record " + std::to_string(n) +
                         ": not a ChampSim input_instr record (ip 0 or branch flags not 0/1)");
      uint64_t dst[2], src[4];
      for (int j = 0; j < 2; ++j) dst[j] = get_u64(p + 16 + 8 * j);
      for (int j = 0; j < 4; ++j) src[j] = get_u64(p + 32 + 8 * j);
      for (uint64_t a : {ip, dst[0], dst[1], src[0], src[1], src[2], src[3]})
        if (a >= kLastPage)
          throw TraceError(path + ": record " + std::to_string(n) + ": " + kLastPageError);
      TraceRecord r;
      r.kind = TraceKind::kFetch;
      r.addr = ip;
      if (!builder.add(r)) return n + 1;
      for (uint64_t s : src) {
        if (!s) continue;
        r.kind = TraceKind::kLoad;
        for (uint64_t& d : dst)
          if (d == s) {
            r.kind = TraceKind::kModify;
            d = 0;
            break;
          }
        r.addr = s;
        if (!builder.add(r)) return n + 1;
      }
      for (uint64_t d : dst) {
        if (!d) continue;
        r.kind = TraceKind::kStore;
        r.addr = d;
        if (!builder.add(r)) return n + 1;
      }
      if (tick && (n + 1) % kTickEvery == 0) tick(n + 1);
    }
    std::memmove(buf.data(), buf.data() + whole * kRecord, have - whole * kRecord);
    have -= whole * kRecord;
    if (got == 0) return n;
  }
}

}  // namespace mmusim
