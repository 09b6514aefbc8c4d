namespace System.Runtime.CompilerServices
{
    /// <summary>Lets netstandard2.0 compile init-only setters (records); the runtime needs nothing more.</summary>
    internal static class IsExternalInit
    {
    }
}
