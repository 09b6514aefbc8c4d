namespace Caxton.Commands { internal static class Boot { } }
