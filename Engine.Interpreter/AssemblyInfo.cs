namespace Engine.Interpreter;
