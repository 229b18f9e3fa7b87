// Parameters and register map of the DMT unit (direct memory translation): TEA registers that
// map a virtual (or guest-physical) range onto a contiguous array of its leaf page-table entries.
// The golden model is models/dmt.h (DmtRegisters, TeaRegister, tea_entry).
//
// The RTL stays in the SystemVerilog subset yosys 0.23 reads (for rtl/synth.sh): modules refer
// to package items by their qualified name (no import), ports are flat vectors (no packed
// arrays), register arrays are unpacked.
package dmt_pkg;

  // Addresses looked up: 57-bit virtual addresses (5-level paging) or guest-physical addresses.
  localparam int unsigned VaWidth  = 57;
  // A range end is exclusive, so it needs one bit more: 2^57 ends a range at the top.
  localparam int unsigned EndWidth = VaWidth + 1;
  // Leaf entries are 8 bytes in physical memory (52-bit MAXPHYADDR): bits [2:0] are zero and the
  // TEA base keeps bits [51:3] only.
  localparam int unsigned PaWidth  = 52;
  localparam int unsigned EntryLsb = 3;
  localparam int unsigned BaseWidth = PaWidth - EntryLsb;
  // Whose mapping: an address space (PCID, with the VM id above it when virtualized) or a VM.
  localparam int unsigned TagWidth = 32;
  // The walker's radix level of a leaf entry: 1 = PT entry (shift 12), 2 = PD entry (shift 21).
  localparam int unsigned LevelWidth = 2;
  localparam logic [LevelWidth-1:0] LevelPt = 2'd1;
  localparam logic [LevelWidth-1:0] LevelPd = 2'd2;
  localparam int unsigned PtShift = 12;     // a PT entry maps 4 KiB
  localparam int unsigned PdShift = 21;     // a PD entry maps 2 MiB
  localparam int unsigned TableBits = 9;    // 512 entries per table page

  // Register sets, as in the model: the running (guest) address space's TEAs, the host's TEA over
  // guest memory (nested: L1's over L2 memory), L0's over L1 memory (nested pvDMT).
  localparam int unsigned NumSets  = 3;
  localparam int unsigned SetWidth = 2;
  typedef enum logic [SetWidth-1:0] {
    SetGuest = 2'd0,
    SetHost  = 2'd1,
    SetL0    = 2'd2
  } set_e;

  // Register interface: 64-bit words, word address {set, index, word}. One TEA register is four
  // words; bits a field does not use read as zero and are ignored on writes.
  localparam int unsigned RegWidth  = 64;
  localparam int unsigned WordWidth = 2;
  localparam logic [WordWidth-1:0] WordStart = 2'd0;  // [56:0] first address covered
  localparam logic [WordWidth-1:0] WordEnd   = 2'd1;  // [57:0] first address past the range
  localparam logic [WordWidth-1:0] WordBase  = 2'd2;  // [51:3] physical address of the TEA
  localparam logic [WordWidth-1:0] WordCtrl  = 2'd3;  // see Ctrl* below
  localparam int unsigned CtrlValid  = 0;   // the register takes part in lookups
  localparam int unsigned CtrlHuge   = 1;   // PD entries (shift 21); clear: PT entries (shift 12)
  localparam int unsigned CtrlTagLsb = 32;  // [63:32] tag

  // Fields of a TEA register.
  typedef logic [VaWidth-1:0]   va_t;
  typedef logic [EndWidth-1:0]  end_t;
  typedef logic [BaseWidth-1:0] base_t;  // entry address bits [51:3]
  typedef logic [TagWidth-1:0]  tag_t;
  typedef logic [RegWidth-1:0]  word_t;
  // What the compare stage needs of an address or a start: its 4K page number, its leaf table.
  typedef logic [VaWidth-PtShift-1:0]           page_t;
  typedef logic [VaWidth-PtShift-TableBits-1:0] table_t;

endpackage
