// TEA register file: one bank of NumEntries TEA registers per register set, written and read
// back word by word through a simple register interface, and the lookup's compare: the bank a
// lookup selects is compared with its address and tag, every register at once (dmt_match), and
// the lowest-numbered match wins, as in the model (DmtRegisters::lookup); its fields go on to the
// entry-address computation (dmt_lookup). Registers are arrays indexed by set * NumEntries +
// index, so the compare reads them where they are (no wide copy of every register).
//
// Register interface: a request (reg_req_i, reg_we_i, word address, data) is taken every cycle;
// a write lands at that clock edge, so a lookup accepted in the same cycle still sees the old
// value. A read answers one cycle later on reg_rvalid_o / reg_rdata_o. reg_err_o flags, in the
// cycle after, a request to an address that holds no register (set 3, index >= NumEntries); such
// a write changes nothing and such a read returns zero.
module dmt_regfile #(
  parameter int unsigned NumEntries = 16,
  parameter int unsigned IdxWidth   = 4,  // $clog2(NumEntries), at least 1
  parameter int unsigned AddrWidth  = dmt_pkg::SetWidth + IdxWidth + dmt_pkg::WordWidth,
  parameter int unsigned NumRegs    = dmt_pkg::NumSets * NumEntries
) (
  input  logic                                    clk_i,
  input  logic                                    rst_ni,

  input  logic                                    reg_req_i,
  input  logic                                    reg_we_i,
  input  logic [AddrWidth-1:0]                    reg_addr_i,
  input  logic [dmt_pkg::RegWidth-1:0]            reg_wdata_i,
  output logic                                    reg_rvalid_o,
  output logic                                    reg_err_o,
  output logic [dmt_pkg::RegWidth-1:0]            reg_rdata_o,

  // Compare (combinational): the bank (set 3: none) against an address and a tag.
  input  logic [dmt_pkg::SetWidth-1:0]            bank_i,
  input  logic [dmt_pkg::VaWidth-1:0]             va_i,
  input  logic [dmt_pkg::TagWidth-1:0]            tag_i,
  output logic                                    hit_o,
  output logic [IdxWidth-1:0]                     index_o,
  output logic                                    huge_o,
  // The winner's leaf table of its start (all the address computation needs of it), its base.
  output logic [dmt_pkg::VaWidth-dmt_pkg::PtShift-dmt_pkg::TableBits-1:0] start_table_o,
  output logic [dmt_pkg::BaseWidth-1:0]           base_o
);
  localparam int unsigned NumSets   = dmt_pkg::NumSets;
  localparam int unsigned SetWidth  = dmt_pkg::SetWidth;
  localparam int unsigned WordWidth = dmt_pkg::WordWidth;
  localparam int unsigned VaWidth   = dmt_pkg::VaWidth;
  localparam int unsigned EndWidth  = dmt_pkg::EndWidth;
  localparam int unsigned TagWidth  = dmt_pkg::TagWidth;
  localparam int unsigned PaWidth   = dmt_pkg::PaWidth;
  localparam int unsigned EntryLsb  = dmt_pkg::EntryLsb;
  localparam int unsigned TagLsb    = dmt_pkg::CtrlTagLsb;

  logic [SetWidth-1:0]  addr_set;
  logic [IdxWidth-1:0]  addr_idx;
  logic [WordWidth-1:0] addr_word;
  logic                 addr_ok;
  assign {addr_set, addr_idx, addr_word} = reg_addr_i;
  assign addr_ok = 32'(addr_set) < NumSets && 32'(addr_idx) < NumEntries;

  // The addressed register's array index (0 for an unmapped address, which changes nothing).
  localparam int unsigned RegIdxWidth = $clog2(NumRegs);
  logic [RegIdxWidth-1:0] addr_reg;
  assign addr_reg = addr_ok ? RegIdxWidth'(32'(addr_set) * NumEntries + 32'(addr_idx)) : '0;

  logic              valid_q [NumRegs];
  logic              huge_q  [NumRegs];
  dmt_pkg::tag_t     tag_q   [NumRegs];
  dmt_pkg::va_t      start_q [NumRegs];
  dmt_pkg::end_t     end_q   [NumRegs];
  dmt_pkg::base_t    base_q  [NumRegs];

  logic write;
  assign write = reg_req_i && reg_we_i && addr_ok;

  // Every field resets to zero, so an unwritten register reads back as the model's default.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned i = 0; i < NumRegs; i++) begin
        valid_q[i] <= 1'b0;
        huge_q[i]  <= 1'b0;
        tag_q[i]   <= '0;
        start_q[i] <= '0;
        end_q[i]   <= '0;
        base_q[i]  <= '0;
      end
    end else if (write) begin
      unique case (addr_word)
        dmt_pkg::WordStart: start_q[addr_reg] <= reg_wdata_i[VaWidth-1:0];
        dmt_pkg::WordEnd:   end_q[addr_reg]   <= reg_wdata_i[EndWidth-1:0];
        dmt_pkg::WordBase:  base_q[addr_reg]  <= reg_wdata_i[PaWidth-1:EntryLsb];
        dmt_pkg::WordCtrl: begin
          valid_q[addr_reg] <= reg_wdata_i[dmt_pkg::CtrlValid];
          huge_q[addr_reg]  <= reg_wdata_i[dmt_pkg::CtrlHuge];
          tag_q[addr_reg]   <= reg_wdata_i[TagLsb +: TagWidth];
        end
        default: ;
      endcase
    end
  end

  // Read-back: the addressed word, unused bits zero.
  dmt_pkg::word_t rdata_d;
  always_comb begin
    rdata_d = '0;
    if (addr_ok) begin
      unique case (addr_word)
        dmt_pkg::WordStart: rdata_d[VaWidth-1:0] = start_q[addr_reg];
        dmt_pkg::WordEnd:   rdata_d[EndWidth-1:0] = end_q[addr_reg];
        dmt_pkg::WordBase:  rdata_d[PaWidth-1:EntryLsb] = base_q[addr_reg];
        dmt_pkg::WordCtrl: begin
          rdata_d[dmt_pkg::CtrlValid] = valid_q[addr_reg];
          rdata_d[dmt_pkg::CtrlHuge]  = huge_q[addr_reg];
          rdata_d[TagLsb +: TagWidth] = tag_q[addr_reg];
        end
        default: ;
      endcase
    end
  end

  logic           rvalid_q, err_q;
  dmt_pkg::word_t rdata_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rvalid_q <= 1'b0;
      err_q    <= 1'b0;
      rdata_q  <= '0;
    end else begin
      rvalid_q <= reg_req_i && !reg_we_i;
      err_q    <= reg_req_i && !addr_ok;
      if (reg_req_i && !reg_we_i) rdata_q <= rdata_d;
    end
  end

  assign reg_rvalid_o = rvalid_q;
  assign reg_err_o    = err_q;
  assign reg_rdata_o  = rdata_q;

  // Compare: register r of the selected bank is array element bank * NumEntries + r.
  localparam int unsigned TableLsb = dmt_pkg::PtShift + dmt_pkg::TableBits;
  logic                   bank_ok;
  logic [RegIdxWidth-1:0] bank_base;
  assign bank_ok   = 32'(bank_i) < NumSets;
  assign bank_base = bank_ok ? RegIdxWidth'(32'(bank_i) * NumEntries) : '0;

  logic [NumEntries-1:0] match;
  for (genvar r = 0; r < NumEntries; r++) begin : g_match
    logic [RegIdxWidth-1:0] at;
    assign at = bank_base + RegIdxWidth'(r);
    dmt_match u_match (
      .valid_i   (bank_ok && valid_q[at]),
      .reg_tag_i (tag_q[at]),
      .start_i   (start_q[at]),
      .end_i     (end_q[at]),
      .va_i,
      .tag_i,
      .match_o   (match[r])
    );
  end

  // Priority to the lowest index: isolate the lowest match (one-hot), encode it, and read the
  // winner's fields (all zero on a miss).
  logic [NumEntries-1:0]  first;
  logic [RegIdxWidth-1:0] winner;
  assign first = match & (~match + NumEntries'(1));
  always_comb begin
    index_o = '0;
    for (int unsigned r = 0; r < NumEntries; r++) begin
      index_o |= first[r] ? IdxWidth'(r) : '0;
    end
  end
  assign hit_o         = |match;
  assign winner        = bank_base + RegIdxWidth'(index_o);
  assign huge_o        = hit_o && huge_q[winner];
  assign start_table_o = hit_o ? start_q[winner][VaWidth-1:TableLsb] : '0;
  assign base_o        = hit_o ? base_q[winner] : '0;

endmodule
