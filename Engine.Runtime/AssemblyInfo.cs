namespace Engine.Runtime;
