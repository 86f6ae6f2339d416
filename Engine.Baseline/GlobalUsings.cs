global using Engine.CodeGen.X64;
global using static Engine.CodeGen.X64.OperandSize;
