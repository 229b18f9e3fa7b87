// mmusim's own memory-trace format: a small header (VMAs, source, metadata) and records of
// (address, size, kind, thread), delta-encoded and compressed with zstd in independent blocks.
//
// File layout (integers little-endian, varints LEB128):
//   "MMUTRACE"  u32 version  u32 header_bytes  u32 crc32(header)  header
//   block*      each: u32 records  u32 raw_bytes  u32 packed_bytes  u32 crc32(first 12 bytes)
//               then packed_bytes of one zstd frame (with content checksum) holding raw_bytes
//   end block   records = raw_bytes = packed_bytes = 0, then end of file
// Header: varint records, varint threads, string source, string command, varint n + n (string
// key, string value) metadata pairs, varint n + n VMAs (varint start, varint end, u8 perms
// r=1 w=2 x=4, varint asid, string name). A string is a varint length and its bytes.
// Record: one byte kind[1:0] | S[2] | T[3] | L[7:4], then a thread varint if T, a size varint if
// S (else the size of the previous record of its class: fetch or data), then the zigzag value z
// of (address - predicted), where predicted = previous address + previous size of the class:
// L <= 8: z in L little-endian bytes; L >= 9: z = L - 9, no bytes. Every block starts from zero
// state, so whole blocks can be skipped without decoding them.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mmusim {

constexpr uint32_t kTraceVersion = 1;
constexpr uint32_t kTraceBlockRecords = 65536;      // records per block, at most
constexpr uint32_t kTraceBlockRawBytes = 2u << 20;  // encoded bytes per block, at most

// A read-modify-write (modify) is one record; the simulator translates it once, as a store.
enum class TraceKind : uint8_t { kFetch = 0, kLoad = 1, kStore = 2, kModify = 3 };
const char* trace_kind_name(TraceKind k);

struct TraceRecord {
  uint64_t addr = 0;
  uint32_t size = 0;  // bytes; 0 when the source does not say
  uint16_t thread = 0;
  TraceKind kind = TraceKind::kLoad;
  bool operator==(const TraceRecord& o) const {
    return addr == o.addr && size == o.size && thread == o.thread && kind == o.kind;
  }
};

struct TraceVma {
  uint64_t start = 0, end = 0;  // [start, end), page aligned
  bool read = true, write = false, exec = false;
  uint16_t asid = 1;  // the address space (process) it was recorded in
  std::string name;
};

struct TraceHeader {
  uint32_t version = kTraceVersion;
  uint64_t records = 0;  // written by TraceWriter::finish
  uint32_t threads = 1;  // thread ids are 0 .. threads - 1
  std::string source;    // lackey, qemu, import-lackey, import-champsim, generate
  std::string command;   // the traced command line, or the imported file
  std::vector<std::pair<std::string, std::string>> meta;
  std::vector<TraceVma> vmas;
  std::string meta_value(const std::string& key) const;
};

// Bad trace input; what() names the file and, past the header, the record offset.
class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes a trace in constant memory: records go to a compressed body file beside the output;
// finish() writes the header (whose VMAs are known only at the end) and the body into place.
class TraceWriter {
 public:
  explicit TraceWriter(std::string path, int zstd_level = 3);
  ~TraceWriter();  // an unfinished trace leaves no file behind
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void write(const TraceRecord& r);
  void finish(TraceHeader header);
  uint64_t records() const { return m_records; }
  uint64_t packed_bytes() const { return m_packed_total; }

 private:
  void flush_block();
  std::string m_path, m_body_path;
  std::FILE* m_body = nullptr;
  void* m_cctx = nullptr;
  std::vector<uint8_t> m_raw, m_packed;
  size_t m_raw_used = 0;
  uint32_t m_block_records = 0;
  uint64_t m_records = 0, m_packed_total = 0;
  uint64_t m_last_end[2] = {0, 0};
  uint32_t m_last_size[2] = {0, 0};
  uint16_t m_thread = 0;
  bool m_finished = false;
};

// Streams a trace in constant memory: one block is decompressed into a fixed buffer and decoded
// into a fixed record array at a time.
class TraceReader {
 public:
  explicit TraceReader(const std::string& path);  // reads and checks the header
  ~TraceReader();
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;

  const TraceHeader& header() const { return m_header; }
  const std::string& path() const { return m_path; }

  bool next(TraceRecord& r) {
    if (m_pos == m_count && !refill()) return false;
    r = m_recs[m_pos++];
    return true;
  }
  // The rest of the current block (refilled when empty); 0 records at the end of the trace.
  size_t next_block(const TraceRecord*& recs);
  // Skips n records; whole blocks are passed over without being decompressed. Returns the number
  // skipped (fewer at the end of the trace).
  uint64_t skip(uint64_t n);
  uint64_t position() const { return m_block_first + m_pos; }  // records consumed so far

 private:
  bool refill();
  bool read_block_header(uint32_t& records, uint32_t& raw, uint32_t& packed);
  void load_block(uint32_t records, uint32_t raw, uint32_t packed);
  [[noreturn]] void fail(const std::string& what) const;

  std::string m_path;
  std::FILE* m_file = nullptr;
  int64_t m_file_size = 0;  // 0 when not a regular file
  void* m_dctx = nullptr;
  TraceHeader m_header;
  std::vector<uint8_t> m_packed, m_raw;
  std::unique_ptr<TraceRecord[]> m_recs;
  size_t m_pos = 0, m_count = 0;
  uint64_t m_block_first = 0;  // record offset of the current block's first record
  uint64_t m_next_first = 0;   // record offset of the next block
  bool m_ended = false;
};

uint32_t crc32(const void* data, size_t bytes, uint32_t crc = 0);

}  // namespace mmusim
