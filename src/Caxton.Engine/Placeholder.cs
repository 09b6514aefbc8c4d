namespace Caxton { internal static class Boot { } }
