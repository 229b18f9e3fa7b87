// The parallel range compare: every register of the selected set is compared with the address
// and tag at once; the lowest-numbered match wins, as in the model (DmtRegisters::lookup), and
// its fields go on to the entry-address computation. Purely combinational.
module dmt_match #(
  parameter int unsigned NumEntries = 16,
  parameter int unsigned IdxWidth   = 4,
  parameter int unsigned NumRegs    = dmt_pkg::NumSets * NumEntries
) (
  input  logic [dmt_pkg::SetWidth-1:0]            set_i,
  input  logic [dmt_pkg::VaWidth-1:0]             va_i,
  input  logic [dmt_pkg::TagWidth-1:0]            tag_i,

  // Every register's fields, flat, as dmt_regfile presents them.
  input  logic [NumRegs-1:0]                      reg_valid_i,
  input  logic [NumRegs-1:0]                      reg_huge_i,
  input  logic [NumRegs*dmt_pkg::TagWidth-1:0]    reg_tag_i,
  input  logic [NumRegs*dmt_pkg::VaWidth-1:0]     reg_start_i,
  input  logic [NumRegs*dmt_pkg::EndWidth-1:0]    reg_end_i,
  input  logic [NumRegs*dmt_pkg::BaseWidth-1:0]   reg_base_i,

  output logic                                    hit_o,
  output logic [IdxWidth-1:0]                     index_o,
  output logic                                    huge_o,
  // The start's leaf table: all the address computation needs of it.
  output logic [dmt_pkg::VaWidth-dmt_pkg::PtShift-dmt_pkg::TableBits-1:0] start_table_o,
  output logic [dmt_pkg::BaseWidth-1:0]           base_o
);
  localparam int unsigned NumSets    = dmt_pkg::NumSets;
  localparam int unsigned SetWidth   = dmt_pkg::SetWidth;
  localparam int unsigned VaWidth    = dmt_pkg::VaWidth;
  localparam int unsigned EndWidth   = dmt_pkg::EndWidth;
  localparam int unsigned BaseWidth  = dmt_pkg::BaseWidth;
  localparam int unsigned TagWidth   = dmt_pkg::TagWidth;
  localparam int unsigned TableLsb   = dmt_pkg::PtShift + dmt_pkg::TableBits;
  localparam int unsigned TableWidth = VaWidth - TableLsb;

  // The selected bank's registers (set 3 selects none: nothing matches).
  logic             valid [NumEntries];
  logic             huge  [NumEntries];
  dmt_pkg::tag_t    tag   [NumEntries];
  dmt_pkg::va_t     start [NumEntries];
  dmt_pkg::end_t    limit [NumEntries];
  dmt_pkg::base_t   base  [NumEntries];
  always_comb begin
    for (int unsigned r = 0; r < NumEntries; r++) begin
      valid[r] = 1'b0;
      huge[r]  = 1'b0;
      tag[r]   = '0;
      start[r] = '0;
      limit[r] = '0;
      base[r]  = '0;
      for (int unsigned s = 0; s < NumSets; s++) begin
        if (set_i == SetWidth'(s)) begin
          valid[r] = reg_valid_i[s * NumEntries + r];
          huge[r]  = reg_huge_i[s * NumEntries + r];
          tag[r]   = reg_tag_i[(s * NumEntries + r) * TagWidth +: TagWidth];
          start[r] = reg_start_i[(s * NumEntries + r) * VaWidth +: VaWidth];
          limit[r] = reg_end_i[(s * NumEntries + r) * EndWidth +: EndWidth];
          base[r]  = reg_base_i[(s * NumEntries + r) * BaseWidth +: BaseWidth];
        end
      end
    end
  end

  // Every register at once: valid, same tag, start <= va < end.
  logic [NumEntries-1:0] match;
  always_comb begin
    for (int unsigned r = 0; r < NumEntries; r++) begin
      match[r] = valid[r] && tag[r] == tag_i && va_i >= start[r] && {1'b0, va_i} < limit[r];
    end
  end

  // Priority to the lowest index: isolate the lowest match (one-hot), then an AND-OR select.
  logic [NumEntries-1:0] first;
  assign first = match & (~match + NumEntries'(1));
  always_comb begin
    hit_o         = |match;
    index_o       = '0;
    huge_o        = 1'b0;
    start_table_o = '0;
    base_o        = '0;
    for (int unsigned r = 0; r < NumEntries; r++) begin
      index_o       |= first[r] ? IdxWidth'(r) : '0;
      huge_o        |= first[r] & huge[r];
      start_table_o |= {TableWidth{first[r]}} & start[r][VaWidth-1:TableLsb];
      base_o        |= {BaseWidth{first[r]}} & base[r];
    end
  end

endmodule
