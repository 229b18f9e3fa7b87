// TEA register file: one bank of NumEntries TEA registers per register set, written and read
// back word by word through a simple register interface. Every field of every register is
// presented to the lookup, which compares a bank's registers in parallel.
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

  // Every register's fields, flat: register r of set s is element s * NumEntries + r.
  output logic [NumRegs-1:0]                      valid_o,
  output logic [NumRegs-1:0]                      huge_o,
  output logic [NumRegs*dmt_pkg::TagWidth-1:0]    tag_o,
  output logic [NumRegs*dmt_pkg::VaWidth-1:0]     start_o,
  output logic [NumRegs*dmt_pkg::EndWidth-1:0]    end_o,
  output logic [NumRegs*dmt_pkg::BaseWidth-1:0]   base_o
);
  localparam int unsigned NumSets   = dmt_pkg::NumSets;
  localparam int unsigned SetWidth  = dmt_pkg::SetWidth;
  localparam int unsigned WordWidth = dmt_pkg::WordWidth;
  localparam int unsigned VaWidth   = dmt_pkg::VaWidth;
  localparam int unsigned EndWidth  = dmt_pkg::EndWidth;
  localparam int unsigned BaseWidth = dmt_pkg::BaseWidth;
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

  // One-hot select of the addressed register (none for an unmapped address).
  logic [NumRegs-1:0] sel;
  always_comb begin
    for (int unsigned s = 0; s < NumSets; s++) begin
      for (int unsigned r = 0; r < NumEntries; r++) begin
        sel[s * NumEntries + r] = addr_set == SetWidth'(s) && addr_idx == IdxWidth'(r);
      end
    end
  end

  logic              valid_q [NumRegs];
  logic              huge_q  [NumRegs];
  dmt_pkg::tag_t     tag_q   [NumRegs];
  dmt_pkg::va_t      start_q [NumRegs];
  dmt_pkg::end_t     end_q   [NumRegs];
  dmt_pkg::base_t    base_q  [NumRegs];

  logic write;
  assign write = reg_req_i && reg_we_i;

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
      for (int unsigned i = 0; i < NumRegs; i++) begin
        if (sel[i]) begin
          unique case (addr_word)
            dmt_pkg::WordStart: start_q[i] <= reg_wdata_i[VaWidth-1:0];
            dmt_pkg::WordEnd:   end_q[i]   <= reg_wdata_i[EndWidth-1:0];
            dmt_pkg::WordBase:  base_q[i]  <= reg_wdata_i[PaWidth-1:EntryLsb];
            dmt_pkg::WordCtrl: begin
              valid_q[i] <= reg_wdata_i[dmt_pkg::CtrlValid];
              huge_q[i]  <= reg_wdata_i[dmt_pkg::CtrlHuge];
              tag_q[i]   <= reg_wdata_i[TagLsb +: TagWidth];
            end
            default: ;
          endcase
        end
      end
    end
  end

  // Read-back: the addressed word, unused bits zero.
  dmt_pkg::word_t rdata_d;
  always_comb begin
    rdata_d = '0;
    for (int unsigned i = 0; i < NumRegs; i++) begin
      if (sel[i]) begin
        unique case (addr_word)
          dmt_pkg::WordStart: rdata_d[VaWidth-1:0] = start_q[i];
          dmt_pkg::WordEnd:   rdata_d[EndWidth-1:0] = end_q[i];
          dmt_pkg::WordBase:  rdata_d[PaWidth-1:EntryLsb] = base_q[i];
          dmt_pkg::WordCtrl: begin
            rdata_d[dmt_pkg::CtrlValid] = valid_q[i];
            rdata_d[dmt_pkg::CtrlHuge]  = huge_q[i];
            rdata_d[TagLsb +: TagWidth] = tag_q[i];
          end
          default: ;
        endcase
      end
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

  always_comb begin
    for (int unsigned i = 0; i < NumRegs; i++) begin
      valid_o[i]                         = valid_q[i];
      huge_o[i]                          = huge_q[i];
      tag_o[i * TagWidth +: TagWidth]    = tag_q[i];
      start_o[i * VaWidth +: VaWidth]    = start_q[i];
      end_o[i * EndWidth +: EndWidth]    = end_q[i];
      base_o[i * BaseWidth +: BaseWidth] = base_q[i];
    end
  end

endmodule
