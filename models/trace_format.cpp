#include "models/trace_format.h"

#include <sys/stat.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mmusim {

namespace {

constexpr char kMagic[8] = {'M', 'M', 'U', 'T', 'R', 'A', 'C', 'E'};
constexpr size_t kPreambleBytes = 20;  // magic, version, header length, header crc
constexpr size_t kBlockHeaderBytes = 16;
constexpr uint32_t kMaxHeaderBytes = 64u << 20;
constexpr size_t kMaxRecordBytes = 1 + 3 + 5 + 8;  // head, thread, size, address delta
constexpr size_t kSlack = 8;  // address bytes are stored and loaded 8 at a time

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian hosts
}

std::string errno_text() { return std::strerror(errno); }

void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

inline uint8_t* put_varint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v) | 0x80;
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

// False when the varint runs past end or over 10 bytes.
inline bool get_varint(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
  uint64_t out = 0;
  for (unsigned shift = 0; shift < 70; shift += 7) {
    if (p == end) return false;
    const uint8_t b = *p++;
    out |= uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) {
      v = out;
      return true;
    }
  }
  return false;
}

// Header fields: varints and length-prefixed strings.
struct HeaderOut {
  std::vector<uint8_t> bytes;
  void varint(uint64_t v) {
    uint8_t buf[10];
    bytes.insert(bytes.end(), buf, put_varint(buf, v));
  }
  void str(const std::string& s) {
    varint(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
};

struct HeaderIn {
  const uint8_t* p;
  const uint8_t* end;
  const std::string& file;
  [[noreturn]] void bad(const std::string& what) const {
    throw TraceError(file + ": header: " + what);
  }
  uint64_t varint(const char* what) {
    uint64_t v;
    if (!get_varint(p, end, v)) bad(std::string("truncated or malformed field '") + what + "'");
    return v;
  }
  std::string str(const char* what) {
    const uint64_t n = varint(what);
    if (n > static_cast<uint64_t>(end - p))
      bad(std::string("string '") + what + "' runs past the header");
    std::string s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
  }
};

}  // namespace

uint32_t crc32(const void* data, size_t bytes, uint32_t crc) {
  static const auto table = [] {
    std::vector<uint32_t> t(256);
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < bytes; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

const char* trace_kind_name(TraceKind k) {
  switch (k) {
    case TraceKind::kFetch:
      return "fetch";
    case TraceKind::kLoad:
      return "load";
    case TraceKind::kStore:
      return "store";
    case TraceKind::kModify:
      return "modify";
  }
  return "?";
}

std::string TraceHeader::meta_value(const std::string& key) const {
  for (const auto& kv : meta)
    if (kv.first == key) return kv.second;
  return {};
}

// ---- writer ----

TraceWriter::TraceWriter(std::string path, int zstd_level)
    : m_path(std::move(path)), m_body_path(m_path + ".body.tmp") {
  m_body = std::fopen(m_body_path.c_str(), "wb");
  if (!m_body) throw TraceError(m_body_path + ": cannot create: " + errno_text());
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, zstd_level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  m_cctx = cctx;
  m_raw.resize(kTraceBlockRawBytes + kSlack);
  m_packed.resize(ZSTD_compressBound(kTraceBlockRawBytes));
}

TraceWriter::~TraceWriter() {
  ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(m_cctx));
  if (m_body) std::fclose(m_body);
  if (!m_finished) {
    std::remove(m_body_path.c_str());
    std::remove((m_path + ".tmp").c_str());
  }
}

void TraceWriter::write(const TraceRecord& r) {
  if (m_raw_used + kMaxRecordBytes > kTraceBlockRawBytes || m_block_records == kTraceBlockRecords)
    flush_block();
  const unsigned cls = r.kind == TraceKind::kFetch ? 0 : 1;
  uint8_t* p = m_raw.data() + m_raw_used;
  uint8_t* head = p++;
  uint8_t h = static_cast<uint8_t>(r.kind);
  if (r.thread != m_thread) {
    h |= 8;
    p = put_varint(p, r.thread);
    m_thread = r.thread;
  }
  const uint64_t predicted = m_last_end[cls];
  if (r.size != m_last_size[cls]) {
    h |= 4;
    p = put_varint(p, r.size);
    m_last_size[cls] = r.size;
  }
  // Branch-free: whether the delta fits in the head, and its length, vary record by record.
  const uint64_t d = r.addr - predicted;
  const uint64_t zz = (d << 1) ^ static_cast<uint64_t>(static_cast<int64_t>(d) >> 63);
  const unsigned bytes = (64 - static_cast<unsigned>(__builtin_clzll(zz | 1)) + 7) >> 3;
  const bool inline_zz = zz <= 6;
  h |= static_cast<uint8_t>((inline_zz ? 9 + zz : bytes) << 4);
  std::memcpy(p, &zz, 8);
  p += inline_zz ? 0 : bytes;
  *head = h;
  m_last_end[cls] = r.addr + r.size;
  m_raw_used = static_cast<size_t>(p - m_raw.data());
  ++m_block_records;
  ++m_records;
}

void TraceWriter::flush_block() {
  if (m_block_records == 0) return;
  const size_t packed = ZSTD_compress2(static_cast<ZSTD_CCtx*>(m_cctx), m_packed.data(),
                                       m_packed.size(), m_raw.data(), m_raw_used);
  if (ZSTD_isError(packed)) throw TraceError(m_path + ": zstd: " + ZSTD_getErrorName(packed));
  uint8_t hdr[kBlockHeaderBytes];
  put_u32(hdr, m_block_records);
  put_u32(hdr + 4, static_cast<uint32_t>(m_raw_used));
  put_u32(hdr + 8, static_cast<uint32_t>(packed));
  put_u32(hdr + 12, crc32(hdr, 12));
  if (std::fwrite(hdr, 1, sizeof hdr, m_body) != sizeof hdr ||
      std::fwrite(m_packed.data(), 1, packed, m_body) != packed)
    throw TraceError(m_path + ": write failed (" + m_body_path + "): " + errno_text());
  m_packed_total += packed + sizeof hdr;
  m_raw_used = 0;
  m_block_records = 0;
  m_last_end[0] = m_last_end[1] = 0;
  m_last_size[0] = m_last_size[1] = 0;
  m_thread = 0;
}

void TraceWriter::finish(TraceHeader header) {
  flush_block();
  uint8_t end[kBlockHeaderBytes] = {};
  put_u32(end + 12, crc32(end, 12));
  const bool wrote = std::fwrite(end, 1, sizeof end, m_body) == sizeof end;
  const int write_errno = errno;
  if (std::fclose(m_body) != 0 || !wrote) {  // fclose flushes: a full disk shows here
    if (!wrote) errno = write_errno;
    m_body = nullptr;
    throw TraceError(m_path + ": write failed (" + m_body_path + "): " + errno_text());
  }
  m_body = nullptr;

  header.version = kTraceVersion;
  header.records = m_records;
  HeaderOut h;
  h.varint(header.records);
  h.varint(header.threads);
  h.str(header.source);
  h.str(header.command);
  h.varint(header.meta.size());
  for (const auto& kv : header.meta) {
    h.str(kv.first);
    h.str(kv.second);
  }
  h.varint(header.vmas.size());
  for (const TraceVma& v : header.vmas) {
    h.varint(v.start);
    h.varint(v.end);
    h.bytes.push_back(
        static_cast<uint8_t>((v.read ? 1 : 0) | (v.write ? 2 : 0) | (v.exec ? 4 : 0)));
    h.varint(v.asid);
    h.str(v.name);
  }
  uint8_t pre[kPreambleBytes];
  std::memcpy(pre, kMagic, 8);
  put_u32(pre + 8, kTraceVersion);
  put_u32(pre + 12, static_cast<uint32_t>(h.bytes.size()));
  put_u32(pre + 16, crc32(h.bytes.data(), h.bytes.size()));

  const std::string tmp = m_path + ".tmp";
  std::FILE* out = std::fopen(tmp.c_str(), "wb");
  if (!out) throw TraceError(m_path + ": cannot create " + tmp + ": " + errno_text());
  std::FILE* body = std::fopen(m_body_path.c_str(), "rb");
  bool ok = body && std::fwrite(pre, 1, sizeof pre, out) == sizeof pre &&
            std::fwrite(h.bytes.data(), 1, h.bytes.size(), out) == h.bytes.size();
  std::vector<char> buf(1 << 20);
  while (ok) {
    const size_t n = std::fread(buf.data(), 1, buf.size(), body);
    if (n == 0) break;
    ok = std::fwrite(buf.data(), 1, n, out) == n;
  }
  ok = ok && !std::ferror(body);
  int err = ok ? 0 : errno;
  if (body) std::fclose(body);
  if (std::fclose(out) != 0 && ok) {  // fclose flushes: a full disk shows here
    ok = false;
    err = errno;
  }
  errno = err;
  if (!ok) throw TraceError(m_path + ": write failed (" + tmp + "): " + errno_text());
  if (std::rename(tmp.c_str(), m_path.c_str()) != 0)
    throw TraceError(m_path + ": cannot rename into place: " + errno_text());
  std::remove(m_body_path.c_str());
  m_finished = true;
}

// ---- reader ----

TraceReader::TraceReader(const std::string& path) : m_path(path) {
  m_file = std::fopen(path.c_str(), "rb");
  if (!m_file) throw TraceError(path + ": cannot open: " + errno_text());
  // A refused header throws from here on, and a constructor that throws runs no destructor.
  auto close = [](std::FILE* f) { std::fclose(f); };
  std::unique_ptr<std::FILE, decltype(close)> close_on_throw(m_file, close);
  std::setvbuf(m_file, nullptr, _IOFBF, 1 << 20);
  struct stat st {};
  if (fstat(fileno(m_file), &st) == 0 && S_ISREG(st.st_mode)) m_file_size = st.st_size;
  uint8_t pre[kPreambleBytes];
  const size_t got = std::fread(pre, 1, sizeof pre, m_file);
  if (got < 8 || std::memcmp(pre, kMagic, 8) != 0)
    throw TraceError(path + ": not an mmusim trace (no MMUTRACE magic)");
  if (got < sizeof pre) throw TraceError(path + ": header: truncated");
  m_header.version = get_u32(pre + 8);
  if (m_header.version != kTraceVersion)
    throw TraceError(path + ": trace format version " + std::to_string(m_header.version) +
                     " is not supported (this mmusim reads version " +
                     std::to_string(kTraceVersion) + ")");
  const uint32_t bytes = get_u32(pre + 12);
  if (bytes > kMaxHeaderBytes) throw TraceError(path + ": header: implausible length");
  if (m_file_size && bytes > static_cast<uint64_t>(m_file_size) - kPreambleBytes)
    throw TraceError(path + ": header: truncated");  // before allocating for it
  std::vector<uint8_t> h(bytes);
  if (std::fread(h.data(), 1, bytes, m_file) != bytes)
    throw TraceError(path + ": header: truncated");
  if (crc32(h.data(), bytes) != get_u32(pre + 16))
    throw TraceError(path + ": header: checksum mismatch (corrupt)");
  HeaderIn in{h.data(), h.data() + h.size(), m_path};
  m_header.records = in.varint("records");
  const uint64_t threads = in.varint("threads");
  if (threads == 0 || threads > 65536) in.bad("thread count out of range");
  m_header.threads = static_cast<uint32_t>(threads);
  m_header.source = in.str("source");
  m_header.command = in.str("command");
  const uint64_t nmeta = in.varint("metadata count");
  for (uint64_t i = 0; i < nmeta; ++i) {
    std::string k = in.str("metadata key");
    m_header.meta.emplace_back(std::move(k), in.str("metadata value"));
  }
  const uint64_t nvma = in.varint("VMA count");
  for (uint64_t i = 0; i < nvma; ++i) {
    TraceVma v;
    v.start = in.varint("VMA start");
    v.end = in.varint("VMA end");
    if (in.p == in.end) in.bad("truncated VMA");
    const uint8_t perms = *in.p++;
    v.read = perms & 1;
    v.write = perms & 2;
    v.exec = perms & 4;
    const uint64_t asid = in.varint("VMA asid");
    if (asid > 0xffff) in.bad("VMA asid out of range");
    v.asid = static_cast<uint16_t>(asid);
    v.name = in.str("VMA name");
    if (v.end <= v.start || (v.start | v.end) & 0xfff)
      in.bad("VMA " + std::to_string(i) + " is empty or not page aligned");
    m_header.vmas.push_back(std::move(v));
  }
  if (in.p != in.end) in.bad("unexpected bytes after the VMA list");

  m_dctx = ZSTD_createDCtx();
  m_packed.resize(ZSTD_compressBound(kTraceBlockRawBytes));
  m_raw.resize(kTraceBlockRawBytes + kSlack, 0);
  m_recs.reset(new TraceRecord[kTraceBlockRecords]);
  close_on_throw.release();
}

TraceReader::~TraceReader() {
  ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(m_dctx));
  if (m_file) std::fclose(m_file);
}

void TraceReader::fail(const std::string& what) const {
  throw TraceError(m_path + ": record " + std::to_string(m_next_first) + ": " + what);
}

bool TraceReader::read_block_header(uint32_t& records, uint32_t& raw, uint32_t& packed) {
  uint8_t hdr[kBlockHeaderBytes];
  const size_t got = std::fread(hdr, 1, sizeof hdr, m_file);
  if (got == 0) fail("truncated: the trace ends without its end marker");
  if (got < sizeof hdr) fail("truncated block header");
  if (crc32(hdr, 12) != get_u32(hdr + 12)) fail("corrupt block header (checksum mismatch)");
  records = get_u32(hdr);
  raw = get_u32(hdr + 4);
  packed = get_u32(hdr + 8);
  if (records == 0) {
    if (raw || packed) fail("corrupt end marker");
    if (std::fgetc(m_file) != EOF) fail("corrupt: data after the end marker");
    if (m_next_first != m_header.records)
      fail("the header announces " + std::to_string(m_header.records) + " records");
    m_ended = true;
    return false;
  }
  if (records > kTraceBlockRecords || raw > kTraceBlockRawBytes || raw < records ||
      packed > m_packed.size() || packed == 0)
    fail("corrupt block header (sizes out of range)");
  return true;
}

void TraceReader::load_block(uint32_t records, uint32_t raw, uint32_t packed) {
  if (std::fread(m_packed.data(), 1, packed, m_file) != packed) fail("truncated block");
  const size_t n = ZSTD_decompressDCtx(static_cast<ZSTD_DCtx*>(m_dctx), m_raw.data(), raw,
                                       m_packed.data(), packed);
  if (ZSTD_isError(n)) fail(std::string("corrupt block (zstd: ") + ZSTD_getErrorName(n) + ")");
  if (n != raw) fail("corrupt block (decompressed size differs)");

  const uint8_t* p = m_raw.data();
  const uint8_t* end = p + raw;
  uint64_t last_end[2] = {0, 0};
  uint32_t last_size[2] = {0, 0};
  uint16_t thread = 0;
  for (uint32_t i = 0; i < records; ++i) {
    if (p == end) fail("corrupt block (ends after " + std::to_string(i) + " records)");
    const uint8_t h = *p++;
    const auto kind = static_cast<TraceKind>(h & 3);
    const unsigned cls = kind == TraceKind::kFetch ? 0 : 1;
    uint64_t v;
    if (h & 8) {
      if (!get_varint(p, end, v) || v > 0xffff) fail("corrupt record (thread)");
      thread = static_cast<uint16_t>(v);
    }
    const uint64_t predicted = last_end[cls];
    if (h & 4) {
      if (!get_varint(p, end, v) || v > 0xffffffffu) fail("corrupt record (size)");
      last_size[cls] = static_cast<uint32_t>(v);
    }
    static constexpr uint64_t kMask[9] = {0,
                                          0xff,
                                          0xffff,
                                          0xffffff,
                                          0xffffffff,
                                          0xffffffffffull,
                                          0xffffffffffffull,
                                          0xffffffffffffffull,
                                          ~uint64_t{0}};
    const unsigned len = h >> 4;
    uint64_t zz;
    if (len >= 9) {
      zz = len - 9;
    } else {
      if (static_cast<size_t>(end - p) < len) fail("corrupt record (address)");
      zz = load64(p) & kMask[len];  // the buffer has kSlack bytes past its end
      p += len;
    }
    const uint64_t addr = predicted + ((zz >> 1) ^ (~(zz & 1) + 1));
    TraceRecord& r = m_recs[i];
    r.addr = addr;
    r.size = last_size[cls];
    r.thread = thread;
    r.kind = kind;
    last_end[cls] = addr + last_size[cls];
  }
  if (p != end) fail("corrupt block (" + std::to_string(end - p) + " bytes after its records)");
  m_block_first = m_next_first;
  m_next_first += records;
  m_pos = 0;
  m_count = records;
}

bool TraceReader::refill() {
  if (m_ended) return false;
  uint32_t records, raw, packed;
  m_block_first = m_next_first;
  m_pos = m_count = 0;
  if (!read_block_header(records, raw, packed)) return false;
  load_block(records, raw, packed);
  return true;
}

size_t TraceReader::next_block(const TraceRecord*& recs) {
  if (m_pos == m_count && !refill()) return 0;
  recs = m_recs.get() + m_pos;
  const size_t n = m_count - m_pos;
  m_pos = m_count;
  return n;
}

uint64_t TraceReader::skip(uint64_t n) {
  uint64_t done = 0;
  while (n > 0) {
    if (m_pos < m_count) {
      const uint64_t take = std::min<uint64_t>(n, m_count - m_pos);
      m_pos += take;
      n -= take;
      done += take;
      continue;
    }
    if (m_ended) break;
    uint32_t records, raw, packed;
    m_block_first = m_next_first;
    m_pos = m_count = 0;
    if (!read_block_header(records, raw, packed)) break;
    if (records <= n) {
      // Pass over the whole block; a pipe cannot seek, so read it instead.
      if (m_file_size) {
        if (ftello(m_file) + static_cast<off_t>(packed) > m_file_size) fail("truncated block");
        if (fseeko(m_file, packed, SEEK_CUR) != 0) fail("cannot seek: " + errno_text());
      } else if (std::fread(m_packed.data(), 1, packed, m_file) != packed) {
        fail("truncated block");
      }
      m_next_first += records;
      m_block_first = m_next_first;
      n -= records;
      done += records;
      continue;
    }
    load_block(records, raw, packed);
  }
  return done;
}

}  // namespace mmusim
