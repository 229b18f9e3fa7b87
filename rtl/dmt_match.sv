// One TEA register's compare: valid, same tag, start <= va < end. Purely combinational; the
// register file instantiates one per register of a bank, all compared at once.
module dmt_match (
  input  logic                          valid_i,
  input  logic [dmt_pkg::TagWidth-1:0]  reg_tag_i,
  input  logic [dmt_pkg::VaWidth-1:0]   start_i,
  input  logic [dmt_pkg::EndWidth-1:0]  end_i,
  input  logic [dmt_pkg::VaWidth-1:0]   va_i,
  input  logic [dmt_pkg::TagWidth-1:0]  tag_i,
  output logic                          match_o
);
  assign match_o = valid_i && reg_tag_i == tag_i && va_i >= start_i && {1'b0, va_i} < end_i;
endmodule
