// A small design for Yosys: an ALU, a traffic-light state machine, a FIFO with a memory and a
// top level that ties them together.
module alu #(parameter W = 16) (input [2:0] op, input [W-1:0] a, b, output reg [W-1:0] y, output zero);
  always @* begin
    case (op)
      3'd0: y = a + b;
      3'd1: y = a - b;
      3'd2: y = a & b;
      3'd3: y = a | b;
      3'd4: y = a ^ b;
      3'd5: y = a << b[3:0];
      3'd6: y = $signed(a) >>> b[3:0];
      default: y = (a < b) ? 1 : 0;
    endcase
  end
  assign zero = ~|y;
endmodule

module traffic (input clk, rst, car, output reg [1:0] light);
  localparam GREEN = 2'd0, YELLOW = 2'd1, RED = 2'd2;
  reg [3:0] timer;
  always @(posedge clk)
    if (rst) begin light <= RED; timer <= 0; end
    else begin
      timer <= timer + 1;
      case (light)
        RED:    if (car && timer > 4) begin light <= GREEN; timer <= 0; end
        GREEN:  if (timer == 4'd9) begin light <= YELLOW; timer <= 0; end
        YELLOW: if (timer == 4'd2) begin light <= RED; timer <= 0; end
        default: light <= RED;
      endcase
    end
endmodule

module fifo #(parameter W = 8, D = 16) (input clk, rst, push, pop, input [W-1:0] din,
                                       output [W-1:0] dout, output empty, full);
  reg [W-1:0] mem [0:D-1];
  reg [4:0] rd, wr;
  assign empty = rd == wr;
  assign full = (wr - rd) == D;
  assign dout = mem[rd[3:0]];
  always @(posedge clk)
    if (rst) begin rd <= 0; wr <= 0; end
    else begin
      if (push && !full) begin mem[wr[3:0]] <= din; wr <= wr + 1; end
      if (pop && !empty) rd <= rd + 1;
    end
endmodule

module top (input clk, rst, car, push, pop, input [2:0] op, input [15:0] a, b,
            output [15:0] y, output zero, output [1:0] light, output [7:0] dout, output empty, full);
  alu #(.W(16)) u_alu (.op(op), .a(a), .b(b), .y(y), .zero(zero));
  traffic u_traffic (.clk(clk), .rst(rst), .car(car), .light(light));
  fifo #(.W(8), .D(16)) u_fifo (.clk(clk), .rst(rst), .push(push), .pop(pop), .din(y[7:0]), .dout(dout), .empty(empty), .full(full));
endmodule
