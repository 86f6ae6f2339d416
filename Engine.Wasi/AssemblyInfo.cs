namespace Engine.Wasi;
