using System;
using System.Globalization;
using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>
    /// Refuses a bare number for a TimeSpan parameter: PowerShell would bind -ExpiringWithin 7 as 7
    /// ticks (less than a microsecond), silently. A TimeSpan, or a string TimeSpan.Parse reads with a
    /// unit written out ('7.00:00:00', '12:00:00'), passes as it is.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class TimeSpanTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            var bare = value is sbyte || value is byte || value is short || value is ushort || value is int || value is uint
                || value is long || value is ulong || value is float || value is double || value is decimal
                || (value is string text && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            if (bare)
            {
                // Thrown here, PowerShell reports it as a binding error naming the parameter, before the cmdlet runs.
                throw new ArgumentTransformationMetadataException(
                    $"'{value}' is a bare number, which PowerShell would read as ticks (ten-millionths of a second). Give a TimeSpan: (New-TimeSpan -Days {Suggest(value)}) or '{Suggest(value)}.00:00:00' for {Suggest(value)} days.");
            }

            return inputData;
        }

        private static string Suggest(object? value)
        {
            try
            {
                var days = Convert.ToDouble(value is string text ? text.Trim() : value, CultureInfo.InvariantCulture);
                return days >= 1 && days <= 3650 && Math.Abs(days - Math.Round(days)) < 1e-9 ? ((long)days).ToString(CultureInfo.InvariantCulture) : "7";
            }
            catch (Exception exception) when (exception is FormatException || exception is InvalidCastException || exception is OverflowException)
            {
                return "7";
            }
        }
    }
}
