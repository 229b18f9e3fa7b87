// The DMT unit: a TEA register file and the lookup pipeline that finds, for an address and a tag,
// the TEA register covering it and the address of its leaf page-table entry. The walker asks it
// before a radix walk (tlm/dmt_rtl is the transactor that puts this RTL in the simulator).
//
// Register sets are banks selected by lookup_set_i, not a set field in the tag. A lookup always
// knows its set (the walk dimension), so a bank select feeding NumEntries comparators costs a
// third of the comparators of one CAM of 3 x NumEntries registers matching on {set, tag}, and a
// lookup switches only one bank's compare operands. Banks also map the privilege boundary onto
// the register address space: the guest OS reloads bank 0 on every context switch, only the
// hypervisor writes banks 1 and 2, and a guest can never take the host's registers, as it could
// in a shared pool.
//
// Register map (64-bit words, word address {set[1:0], index[IdxWidth-1:0], word[1:0]}, byte
// offset = 8 x word address), one TEA register per {set, index}:
//   word 0 START  [56:0]  first address covered
//   word 1 END    [57:0]  first address past the range (exclusive)
//   word 2 BASE   [51:3]  physical address of the TEA (its first leaf entry)
//   word 3 CTRL   [0] valid, [1] huge (PD entries, shift 21; clear: PT entries, shift 12),
//                 [63:32] tag (address space or VM)
module dmt_unit #(
  parameter int unsigned NumEntries   = 16,  // TEA registers per set
  parameter int unsigned LookupStages = 1,   // pipeline depth: cycles from request to response
  parameter int unsigned IdxWidth     = NumEntries > 1 ? $clog2(NumEntries) : 1,
  parameter int unsigned AddrWidth    = dmt_pkg::SetWidth + IdxWidth + dmt_pkg::WordWidth
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,

  // Register interface.
  input  logic                            reg_req_i,
  input  logic                            reg_we_i,
  input  logic [AddrWidth-1:0]            reg_addr_i,
  input  logic [dmt_pkg::RegWidth-1:0]    reg_wdata_i,
  output logic                            reg_rvalid_o,
  output logic                            reg_err_o,
  output logic [dmt_pkg::RegWidth-1:0]    reg_rdata_o,

  // Lookup requests.
  input  logic                            lookup_valid_i,
  output logic                            lookup_ready_o,
  input  logic [dmt_pkg::SetWidth-1:0]    lookup_set_i,
  input  logic [dmt_pkg::VaWidth-1:0]     lookup_va_i,
  input  logic [dmt_pkg::TagWidth-1:0]    lookup_tag_i,

  // Lookup responses, in request order.
  output logic                            rsp_valid_o,
  input  logic                            rsp_ready_i,
  output logic                            rsp_hit_o,
  output logic [IdxWidth-1:0]             rsp_index_o,
  output logic [dmt_pkg::PaWidth-1:0]     rsp_entry_o,
  output logic [dmt_pkg::LevelWidth-1:0]  rsp_level_o
);
  logic                                  match_hit, match_huge;
  logic [IdxWidth-1:0]                   match_index;
  dmt_pkg::table_t                       match_start;
  dmt_pkg::base_t                        match_base;

  dmt_regfile #(
    .NumEntries (NumEntries),
    .IdxWidth   (IdxWidth),
    .AddrWidth  (AddrWidth)
  ) u_regfile (
    .clk_i,
    .rst_ni,
    .reg_req_i,
    .reg_we_i,
    .reg_addr_i,
    .reg_wdata_i,
    .reg_rvalid_o,
    .reg_err_o,
    .reg_rdata_o,
    .bank_i        (lookup_set_i),
    .va_i          (lookup_va_i),
    .tag_i         (lookup_tag_i),
    .hit_o         (match_hit),
    .index_o       (match_index),
    .huge_o        (match_huge),
    .start_table_o (match_start),
    .base_o        (match_base)
  );

  dmt_lookup #(
    .IdxWidth     (IdxWidth),
    .LookupStages (LookupStages)
  ) u_lookup (
    .clk_i,
    .rst_ni,
    .lookup_valid_i,
    .lookup_ready_o,
    .lookup_page_i (lookup_va_i[dmt_pkg::VaWidth-1:dmt_pkg::PtShift]),
    .rsp_valid_o,
    .rsp_ready_i,
    .rsp_hit_o,
    .rsp_index_o,
    .rsp_entry_o,
    .rsp_level_o,
    .match_hit_i   (match_hit),
    .match_index_i (match_index),
    .match_huge_i  (match_huge),
    .match_start_i (match_start),
    .match_base_i  (match_base)
  );

endmodule
