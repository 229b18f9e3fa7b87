/* The stream mmusim's QEMU plugin writes and `mmusim trace capture --tool qemu` reads: host-endian
 * (little-endian) 64-bit words.
 *   bits 63:62  type: 0 load, 1 store, 2 instruction fetch, 3 control
 *   access:     bits 61:56 size (loads and stores: log2 of the bytes; fetches: the instruction's
 *               length), bits 55:0 the guest virtual address, sign-extended from bit 55
 *   control:    bits 61:56 code, bits 55:0 its argument:
 *     THREAD      the accesses that follow come from guest thread (vCPU) `arg`
 *     START_CODE  the guest's nominal start of text
 *     PATH        the guest binary's path, `arg` bytes in the ceil(arg / 8) words that follow
 *     MAPS        the emulator's /proc/self/maps when the guest exits, `arg` bytes likewise
 * A fetch is written only when a thread's instruction fetch moves to another 4 KiB page. */
#ifndef MMUSIM_QEMU_TRACE_STREAM_H
#define MMUSIM_QEMU_TRACE_STREAM_H

#define MMUSIM_QT_LOAD 0ull
#define MMUSIM_QT_STORE 1ull
#define MMUSIM_QT_FETCH 2ull
#define MMUSIM_QT_CONTROL 3ull
#define MMUSIM_QT_TYPE_SHIFT 62
#define MMUSIM_QT_SIZE_SHIFT 56
#define MMUSIM_QT_ADDR_MASK ((1ull << 56) - 1)
#define MMUSIM_QT_THREAD 1ull
#define MMUSIM_QT_START_CODE 2ull
#define MMUSIM_QT_PATH 3ull
#define MMUSIM_QT_MAPS 4ull

#endif
