// The real-program benchmark's Yosys workload (Engine.Benchmarks 'real'): a 32-bit datapath large enough that
// synthesis (elaboration, optimization, techmapping and ABC's logic minimization) takes seconds, not start-up.
module alu32 (input [3:0] op, input [31:0] a, b, output reg [31:0] y);
  wire [63:0] product = a * b;
  always @* begin
    case (op)
      4'd0: y = a + b;
      4'd1: y = a - b;
      4'd2: y = a & b;
      4'd3: y = a | b;
      4'd4: y = a ^ b;
      4'd5: y = a << b[4:0];
      4'd6: y = a >> b[4:0];
      4'd7: y = $signed(a) >>> b[4:0];
      4'd8: y = $signed(a) < $signed(b) ? 32'd1 : 32'd0;
      4'd9: y = a < b ? 32'd1 : 32'd0;
      4'd10: y = product[31:0];
      4'd11: y = product[63:32];
      4'd12: y = {a[7:0], a[15:8], a[23:16], a[31:24]};
      default: y = ~(a | b);
    endcase
  end
endmodule

module crc32_step (input [31:0] crc, input [7:0] data, output [31:0] next);
  function [31:0] step(input [31:0] c, input [7:0] d);
    integer i;
    reg [31:0] r;
    begin
      r = c ^ {24'd0, d};
      for (i = 0; i < 8; i = i + 1)
        r = r[0] ? (r >> 1) ^ 32'hEDB88320 : r >> 1;
      step = r;
    end
  endfunction
  assign next = step(crc, data);
endmodule

module fir #(parameter N = 8) (input clk, input signed [15:0] x, output reg signed [35:0] y);
  reg signed [15:0] taps [0:N-1];
  wire signed [15:0] coef [0:N-1];
  assign coef[0] = 16'sd3;   assign coef[1] = -16'sd11; assign coef[2] = 16'sd45;  assign coef[3] = 16'sd122;
  assign coef[4] = 16'sd122; assign coef[5] = 16'sd45;  assign coef[6] = -16'sd11; assign coef[7] = 16'sd3;
  integer i;
  reg signed [35:0] acc;
  always @(posedge clk) begin
    taps[0] <= x;
    for (i = 1; i < N; i = i + 1) taps[i] <= taps[i-1];
    acc = 0;
    for (i = 0; i < N; i = i + 1) acc = acc + taps[i] * coef[i];
    y <= acc;
  end
endmodule

module top (input clk, rst, input [3:0] op, input [2:0] ra, rb, rw, input we, input [31:0] imm, input use_imm,
            input [7:0] byte_in, input signed [15:0] sample,
            output [31:0] result, output [31:0] crc, output signed [35:0] filtered);
  reg [31:0] regs [0:7];
  wire [31:0] a = regs[ra];
  wire [31:0] b = use_imm ? imm : regs[rb];
  alu32 u_alu (.op(op), .a(a), .b(b), .y(result));
  always @(posedge clk) if (we && rw != 0) regs[rw] <= result;
  reg [31:0] crc_q;
  wire [31:0] crc_d;
  crc32_step u_crc (.crc(crc_q), .data(byte_in ^ result[7:0]), .next(crc_d));
  always @(posedge clk) crc_q <= rst ? 32'hFFFFFFFF : crc_d;
  assign crc = ~crc_q;
  fir u_fir (.clk(clk), .x(sample), .y(filtered));
endmodule
