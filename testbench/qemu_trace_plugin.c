/* A QEMU TCG plugin (user-mode emulation) that writes a guest's memory accesses to a file
 * descriptor in the format of qemu_trace_stream.h, for `mmusim trace capture --tool qemu`:
 *   qemu-x86_64 -plugin libmmusim_qemu_trace.so,fd=N PROGRAM ARGS...
 * Every load and store is written; an instruction fetch only when the thread's fetches move to
 * another page (a fetch from the page of the previous one always hits the ITLB, so nothing is
 * lost for it). Each thread (vCPU) fills a buffer of its own, written out under a lock, so
 * threads interleave at buffer granularity. A child the guest forks is not traced.
 *
 * Debian ships no qemu-plugin.h: the few declarations of the version 1 plugin API (QEMU 7.2)
 * this plugin uses are repeated here. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testbench/qemu_trace_stream.h"

/* ---- QEMU plugin API, version 1 (include/qemu/qemu-plugin.h of QEMU 7.2) ---- */
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
#define QEMU_PLUGIN_VERSION 1
typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
typedef struct qemu_info_t {
  const char* target_name;
  struct {
    int min;
    int cur;
  } version;
  bool system_emulation;
  union {
    struct {
      int smp_vcpus;
      int max_vcpus;
    } system;
  };
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void* userdata);
typedef void (*qemu_plugin_vcpu_simple_cb_t)(qemu_plugin_id_t id, unsigned int vcpu_index);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void* userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb* tb);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
                                          uint64_t vaddr, void* userdata);
void qemu_plugin_register_vcpu_init_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_simple_cb_t cb);
void qemu_plugin_register_vcpu_exit_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_simple_cb_t cb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn* insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void* userdata);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn* insn, qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw,
                                      void* userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void* userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb* tb);
struct qemu_plugin_insn* qemu_plugin_tb_get_insn(const struct qemu_plugin_tb* tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn* insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn* insn);
unsigned int qemu_plugin_mem_size_shift(qemu_plugin_meminfo_t info);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);
const char* qemu_plugin_path_to_binary(void);
uint64_t qemu_plugin_start_code(void);
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc,
                                           char** argv);
/* ---- end of the API declarations ---- */

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum { kBufferWords = 8192, kMaxThreads = 4096 };

struct thread_state {
  uint64_t used; /* words in buf; buf[0] is the THREAD marker */
  uint64_t last_fetch_page;
  uint64_t buf[kBufferWords];
};

static int g_fd = -1;
static pid_t g_pid;   /* a forked child (still under QEMU) writes nothing: it is not traced */
static bool g_broken; /* the reader went away: stop writing */
static pthread_mutex_t g_write_lock = PTHREAD_MUTEX_INITIALIZER;
static struct thread_state* g_threads[kMaxThreads];
static int g_prologue_done;

static uint64_t control(uint64_t code, uint64_t arg) {
  return MMUSIM_QT_CONTROL << MMUSIM_QT_TYPE_SHIFT | code << MMUSIM_QT_SIZE_SHIFT |
         (arg & MMUSIM_QT_ADDR_MASK);
}

static void write_words(const uint64_t* words, size_t n) {
  const char* p = (const char*)words;
  size_t left = n * sizeof(uint64_t);
  if (getpid() != g_pid) return;
  pthread_mutex_lock(&g_write_lock);
  while (left > 0 && !g_broken) {
    const ssize_t w = write(g_fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      g_broken = true;
      break;
    }
    p += w;
    left -= (size_t)w;
  }
  pthread_mutex_unlock(&g_write_lock);
}

static struct thread_state* thread_state(unsigned int vcpu) {
  if (vcpu >= kMaxThreads) {
    fprintf(stderr, "mmusim qemu plugin: more than %d threads\n", kMaxThreads);
    abort();
  }
  struct thread_state* t = g_threads[vcpu];
  if (!t) {
    t = calloc(1, sizeof *t);
    if (!t) abort();
    t->buf[0] = control(MMUSIM_QT_THREAD, vcpu);
    t->used = 1;
    t->last_fetch_page = ~0ull;
    g_threads[vcpu] = t;
  }
  return t;
}

static void flush(struct thread_state* t) {
  if (t->used > 1) write_words(t->buf, t->used);
  t->used = 1;
}

static inline void put(unsigned int vcpu, uint64_t word) {
  struct thread_state* t = g_threads[vcpu];
  if (__builtin_expect(!t, 0)) t = thread_state(vcpu);
  t->buf[t->used++] = word;
  if (__builtin_expect(t->used == kBufferWords, 0)) flush(t);
}

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void* udata) {
  const uint64_t type = qemu_plugin_mem_is_store(info) ? MMUSIM_QT_STORE : MMUSIM_QT_LOAD;
  put(vcpu, type << MMUSIM_QT_TYPE_SHIFT |
                (uint64_t)qemu_plugin_mem_size_shift(info) << MMUSIM_QT_SIZE_SHIFT |
                (vaddr & MMUSIM_QT_ADDR_MASK));
}

/* udata: the fetch word (address and length) of an instruction that starts a block or a page. */
static void on_fetch(unsigned int vcpu, void* udata) {
  const uint64_t word = (uint64_t)(uintptr_t)udata;
  struct thread_state* t = g_threads[vcpu];
  if (__builtin_expect(!t, 0)) t = thread_state(vcpu);
  const uint64_t page = (word & MMUSIM_QT_ADDR_MASK) >> 12;
  if (page == t->last_fetch_page) return;
  t->last_fetch_page = page;
  put(vcpu, word);
}

/* A control word, then `len` bytes in whole words. */
static void write_blob(uint64_t code, const char* bytes, size_t len) {
  const size_t words = (len + 7) / 8;
  uint64_t* msg = calloc(1 + words, sizeof(uint64_t));
  if (!msg) abort();
  msg[0] = control(code, len);
  if (len) memcpy(msg + 1, bytes, len);
  write_words(msg, 1 + words);
  free(msg);
}

static void prologue(void) {
  const uint64_t start = control(MMUSIM_QT_START_CODE, qemu_plugin_start_code());
  write_words(&start, 1);
  const char* path = qemu_plugin_path_to_binary();
  write_blob(MMUSIM_QT_PATH, path ? path : "", path ? strlen(path) : 0);
}

/* The guest's mappings at its exit (identity-mapped into the emulator, or offset by a guest
 * base mmusim works out from the binary's mapping). */
static void send_maps(void) {
  FILE* f = fopen("/proc/self/maps", "r");
  if (!f) return;
  size_t cap = 1 << 16, len = 0;
  char* text = malloc(cap);
  size_t got;
  while (text && (got = fread(text + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) text = realloc(text, cap *= 2);
  }
  fclose(f);
  if (!text) abort();
  write_blob(MMUSIM_QT_MAPS, text, len);
  free(text);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  if (!__atomic_exchange_n(&g_prologue_done, 1, __ATOMIC_ACQ_REL)) prologue();
  const size_t n = qemu_plugin_tb_n_insns(tb);
  uint64_t prev_page = ~0ull;
  for (size_t i = 0; i < n; ++i) {
    struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    const uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
    if (vaddr >> 12 != prev_page) {
      const uint64_t len = qemu_plugin_insn_size(insn) & 0x3f;
      const uint64_t word = MMUSIM_QT_FETCH << MMUSIM_QT_TYPE_SHIFT | len << MMUSIM_QT_SIZE_SHIFT |
                            (vaddr & MMUSIM_QT_ADDR_MASK);
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_fetch, QEMU_PLUGIN_CB_NO_REGS,
                                             (void*)(uintptr_t)word);
      prev_page = vaddr >> 12;
    }
    qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW,
                                     NULL);
  }
}

static void on_thread_start(qemu_plugin_id_t id, unsigned int vcpu) { thread_state(vcpu); }

static void on_thread_exit(qemu_plugin_id_t id, unsigned int vcpu) {
  if (vcpu < kMaxThreads && g_threads[vcpu]) flush(g_threads[vcpu]);
}

static void on_exit_all(qemu_plugin_id_t id, void* udata) {
  for (unsigned i = 0; i < kMaxThreads; ++i)
    if (g_threads[i]) flush(g_threads[i]);
  send_maps();
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc,
                                           char** argv) {
  if (info->system_emulation) {
    fprintf(stderr, "mmusim qemu plugin: user-mode emulation only\n");
    return -1;
  }
  for (int i = 0; i < argc; ++i)
    if (strncmp(argv[i], "fd=", 3) == 0) g_fd = atoi(argv[i] + 3);
  if (g_fd < 0) {
    fprintf(stderr, "mmusim qemu plugin: needs fd=N, the descriptor to write to\n");
    return -1;
  }
  g_pid = getpid();
  qemu_plugin_register_vcpu_init_cb(id, on_thread_start);
  qemu_plugin_register_vcpu_exit_cb(id, on_thread_exit);
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit_all, NULL);
  return 0;
}
