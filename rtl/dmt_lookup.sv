// The lookup pipeline: request (valid/ready) -> parallel range compare (in the register file,
// dmt_regfile, which holds the registers it compares) -> leaf-entry address -> response
// (valid/ready), LookupStages register stages deep: a request accepted at a clock edge has its
// response on the outputs after LookupStages edges, and one request enters per cycle.
//
// With one stage, compare and address share the cycle. With more, the compare result is
// registered first (the long path: NumEntries 57-bit magnitude compares, the tag compares and the
// priority select), the address (a subtract and an add) follows, and the stages beyond two are
// output registers a synthesis tool can retime into the logic. A response not taken (rsp_ready_i
// low) stalls every stage and the request port.
//
// Leaf entry address, as the model's tea_entry(): with shift 12 (PT entries) or 21 (PD entries),
//   entry = base + ((va >> shift) - ((start >> (shift + 9)) << 9)) * 8
// the TEA begins at the leaf table that covers start. A miss answers hit 0, index 0, entry 0,
// level 0.
module dmt_lookup #(
  parameter int unsigned IdxWidth     = 4,
  parameter int unsigned LookupStages = 1   // at least 1
) (
  input  logic                                    clk_i,
  input  logic                                    rst_ni,

  input  logic                                    lookup_valid_i,
  output logic                                    lookup_ready_o,
  input  logic [dmt_pkg::VaWidth-dmt_pkg::PtShift-1:0] lookup_page_i,  // the address's 4K page

  output logic                                    rsp_valid_o,
  input  logic                                    rsp_ready_i,
  output logic                                    rsp_hit_o,
  output logic [IdxWidth-1:0]                     rsp_index_o,
  output logic [dmt_pkg::PaWidth-1:0]             rsp_entry_o,
  output logic [dmt_pkg::LevelWidth-1:0]          rsp_level_o,

  // The register file's compare of this request (combinational).
  input  logic                                    match_hit_i,
  input  logic [IdxWidth-1:0]                     match_index_i,
  input  logic                                    match_huge_i,
  input  logic [dmt_pkg::VaWidth-dmt_pkg::PtShift-dmt_pkg::TableBits-1:0] match_start_i,
  input  logic [dmt_pkg::BaseWidth-1:0]           match_base_i
);
  localparam int unsigned VaWidth      = dmt_pkg::VaWidth;
  localparam int unsigned PaWidth      = dmt_pkg::PaWidth;
  localparam int unsigned BaseWidth    = dmt_pkg::BaseWidth;
  localparam int unsigned LevelWidth   = dmt_pkg::LevelWidth;
  localparam int unsigned EntryLsb     = dmt_pkg::EntryLsb;
  localparam int unsigned PtShift      = dmt_pkg::PtShift;
  localparam int unsigned PdShift      = dmt_pkg::PdShift;
  localparam int unsigned TableBits    = dmt_pkg::TableBits;
  localparam int unsigned PageWidth    = VaWidth - PtShift;              // 4K page number
  localparam int unsigned TableWidth   = VaWidth - PtShift - TableBits;  // leaf table number
  localparam int unsigned PayloadWidth = 1 + IdxWidth + PaWidth + LevelWidth;
  localparam int unsigned OutStages    = LookupStages > 1 ? LookupStages - 1 : 1;

  // The whole pipeline moves unless the response waits.
  logic advance;
  assign advance        = !(rsp_valid_o && !rsp_ready_i);
  assign lookup_ready_o = advance;

  // Compare results, as the register file gives them.
  logic                    match_hit, match_huge;
  logic [IdxWidth-1:0]     match_index;
  dmt_pkg::table_t         match_start;
  dmt_pkg::base_t          match_base;
  assign match_hit   = match_hit_i;
  assign match_index = match_index_i;
  assign match_huge  = match_huge_i;
  assign match_start = match_start_i;
  assign match_base  = match_base_i;

  // Address stage inputs: straight from the compare, or from its register. Of the address it
  // needs the page number only, of the start the leaf table.
  logic                    addr_valid, addr_hit, addr_huge;
  logic [IdxWidth-1:0]     addr_index;
  dmt_pkg::page_t          addr_page;
  dmt_pkg::table_t         addr_start;
  dmt_pkg::base_t          addr_base;

  if (LookupStages == 1) begin : g_one_stage
    assign addr_valid = lookup_valid_i;
    assign addr_hit   = match_hit;
    assign addr_index = match_index;
    assign addr_huge  = match_huge;
    assign addr_page  = lookup_page_i;
    assign addr_start = match_start;
    assign addr_base  = match_base;
  end else begin : g_cmp_stage
    logic                  cmp_valid_q, cmp_hit_q, cmp_huge_q;
    logic [IdxWidth-1:0]   cmp_index_q;
    dmt_pkg::page_t        cmp_page_q;
    dmt_pkg::table_t       cmp_start_q;
    dmt_pkg::base_t        cmp_base_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        cmp_valid_q <= 1'b0;
      end else if (advance) begin
        cmp_valid_q <= lookup_valid_i;
      end
    end
    always_ff @(posedge clk_i) begin
      if (advance) begin
        cmp_hit_q   <= match_hit;
        cmp_index_q <= match_index;
        cmp_huge_q  <= match_huge;
        cmp_page_q  <= lookup_page_i;
        cmp_start_q <= match_start;
        cmp_base_q  <= match_base;
      end
    end
    assign addr_valid = cmp_valid_q;
    assign addr_hit   = cmp_hit_q;
    assign addr_index = cmp_index_q;
    assign addr_huge  = cmp_huge_q;
    assign addr_page  = cmp_page_q;
    assign addr_start = cmp_start_q;
    assign addr_base  = cmp_base_q;
  end

  // Address: index into the TEA from the leaf table covering start, times 8, plus the base.
  logic [PageWidth-1:0]            offset_pt, offset;
  logic [VaWidth-PdShift-1:0]      offset_pd;
  dmt_pkg::base_t                  entry_words;
  assign offset_pt   = addr_page - {addr_start, TableBits'(0)};
  assign offset_pd   = addr_page[PageWidth-1:PdShift-PtShift] -
                       {addr_start[TableWidth-1:PdShift-PtShift], TableBits'(0)};
  assign offset      = addr_huge ? PageWidth'(offset_pd) : offset_pt;
  assign entry_words = addr_base + BaseWidth'(offset);

  logic [PayloadWidth-1:0] payload;
  assign payload = addr_hit ? {1'b1, addr_index, entry_words, EntryLsb'(0),
                               addr_huge ? dmt_pkg::LevelPd : dmt_pkg::LevelPt}
                            : '0;

  // Output registers; the last one drives the response.
  logic                    out_valid_q [OutStages];
  logic [PayloadWidth-1:0] out_q       [OutStages];
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned i = 0; i < OutStages; i++) out_valid_q[i] <= 1'b0;
    end else if (advance) begin
      out_valid_q[0] <= addr_valid;
      for (int unsigned i = 1; i < OutStages; i++) out_valid_q[i] <= out_valid_q[i-1];
    end
  end
  always_ff @(posedge clk_i) begin
    if (advance) begin
      out_q[0] <= payload;
      for (int unsigned i = 1; i < OutStages; i++) out_q[i] <= out_q[i-1];
    end
  end

  assign rsp_valid_o = out_valid_q[OutStages-1];
  assign {rsp_hit_o, rsp_index_o, rsp_entry_o, rsp_level_o} = out_q[OutStages-1];

endmodule
