using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;

namespace Caxton
{
    /// <summary>
    /// The services Microsoft.Extensions.Http's factory asks for, answered from the registrations
    /// <c>AddHttpClient</c> makes, without Microsoft.Extensions.DependencyInjection's container. That
    /// container keys its caches by value types of its own, so none of its code could come precompiled
    /// (ReadyToRun cannot hold another assembly's generic code over them): it cost the first request
    /// about 100 JIT-compiled methods and 0.6 MiB (tests/bench/levers.md). What the factory needs is
    /// small: singletons, scoped services (a scope per handler, disposed when the handler expires),
    /// transients, open generics (options), IEnumerable of a service, and constructor injection, which
    /// <see cref="ActivatorUtilities"/> does as the container would.
    /// </summary>
    internal sealed class FactoryServices : IServiceProvider, IServiceScopeFactory, IServiceScope, IServiceProviderIsService
    {
        private readonly ServiceDescriptor[] descriptors;
        private readonly FactoryServices root;

        /// <summary>Singletons (on the root) or scoped services (on a scope), by registration and closed type.</summary>
        private readonly Dictionary<Instance, object> instances = new Dictionary<Instance, object>();

        /// <summary>What this scope created and must dispose with it: scoped and transient services (the root: singletons too).</summary>
        private readonly List<IDisposable> owned = new List<IDisposable>();
        private bool disposed;

        public FactoryServices(IEnumerable<ServiceDescriptor> services)
        {
            // Keyed registrations answer only to their key, which the factory never asks for.
            descriptors = services.Where(descriptor => !descriptor.IsKeyedService).ToArray();
            root = this;
        }

        private FactoryServices(FactoryServices root)
        {
            descriptors = root.descriptors;
            this.root = root;
        }

        public IServiceProvider ServiceProvider => this;

        public IServiceScope CreateScope() => new FactoryServices(root);

        public bool IsService(Type serviceType) =>
            IsBuiltIn(serviceType)
            || IsEnumerable(serviceType, out _)
            || descriptors.Any(descriptor => Matches(descriptor, serviceType));

        public object? GetService(Type serviceType)
        {
            if (IsBuiltIn(serviceType))
            {
                return serviceType == typeof(IServiceScopeFactory) ? root : this;
            }

            if (IsEnumerable(serviceType, out var element))
            {
                var matching = descriptors.Where(descriptor => Matches(descriptor, element)).ToArray();
                var all = Array.CreateInstance(element, matching.Length);
                for (var i = 0; i < matching.Length; i++)
                {
                    all.SetValue(Resolve(matching[i], element), i);
                }

                return all;
            }

            // As the container: the last registration of exactly this service wins, else the last open generic that closes to it.
            var chosen = Array.FindLastIndex(descriptors, descriptor => descriptor.ServiceType == serviceType);
            if (chosen < 0)
            {
                chosen = Array.FindLastIndex(descriptors, descriptor => Matches(descriptor, serviceType));
            }

            return chosen < 0 ? null : Resolve(descriptors[chosen], serviceType);
        }

        public void Dispose()
        {
            IDisposable[] toDispose;
            lock (instances)
            {
                if (disposed)
                {
                    return;
                }

                disposed = true;
                toDispose = owned.ToArray();
                owned.Clear();
                instances.Clear();
            }

            // Last created, first disposed, as the container does.
            for (var i = toDispose.Length - 1; i >= 0; i--)
            {
                toDispose[i].Dispose();
            }
        }

        private static bool IsBuiltIn(Type serviceType) =>
            serviceType == typeof(IServiceProvider) || serviceType == typeof(IServiceScopeFactory) || serviceType == typeof(IServiceProviderIsService);

        private static bool IsEnumerable(Type serviceType, out Type element)
        {
            if (serviceType.IsGenericType && serviceType.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                element = serviceType.GetGenericArguments()[0];
                return true;
            }

            element = serviceType;
            return false;
        }

        private static bool Matches(ServiceDescriptor descriptor, Type serviceType) =>
            descriptor.ServiceType == serviceType
            || (descriptor.ServiceType.IsGenericTypeDefinition && serviceType.IsConstructedGenericType && serviceType.GetGenericTypeDefinition() == descriptor.ServiceType);

        private object Resolve(ServiceDescriptor descriptor, Type serviceType)
        {
            switch (descriptor.Lifetime)
            {
                case ServiceLifetime.Singleton:
                    // Built from the root, so a singleton never holds a scope's services.
                    return root.Cached(descriptor, serviceType, root);
                case ServiceLifetime.Scoped:
                    return Cached(descriptor, serviceType, this);
                default:
                    return Own(Create(descriptor, serviceType, this));
            }
        }

        /// <summary>
        /// One instance per registration and closed type in this scope, created at most once: under the
        /// lock, as the container does. Creating it may resolve others; the lock is re-entrant, and a
        /// singleton resolves only from the root, so locks are only ever taken scope first, root second.
        /// </summary>
        private object Cached(ServiceDescriptor descriptor, Type serviceType, FactoryServices resolver)
        {
            var key = new Instance(descriptor, serviceType);
            lock (instances)
            {
                ThrowIfDisposed();
                if (instances.TryGetValue(key, out var existing))
                {
                    return existing;
                }

                var created = Create(descriptor, serviceType, resolver);
                instances.Add(key, created);
                if (created is IDisposable disposable && descriptor.ImplementationInstance is null)
                {
                    owned.Add(disposable);
                }

                return created;
            }
        }

        private object Own(object created)
        {
            if (created is IDisposable disposable)
            {
                lock (instances)
                {
                    ThrowIfDisposed();
                    owned.Add(disposable);
                }
            }

            return created;
        }

        private static object Create(ServiceDescriptor descriptor, Type serviceType, IServiceProvider resolver)
        {
            if (descriptor.ImplementationInstance != null)
            {
                return descriptor.ImplementationInstance;
            }

            if (descriptor.ImplementationFactory != null)
            {
                return descriptor.ImplementationFactory(resolver);
            }

            var implementation = descriptor.ImplementationType!;
            if (implementation.IsGenericTypeDefinition)
            {
                implementation = implementation.MakeGenericType(serviceType.GetGenericArguments());
            }

            return ActivatorUtilities.CreateInstance(resolver, implementation);
        }

        private void ThrowIfDisposed()
        {
            if (disposed)
            {
                throw new ObjectDisposedException(nameof(FactoryServices));
            }
        }

        /// <summary>A cache key of reference type: the container's value-type keys are what forced its code through the JIT.</summary>
        private sealed class Instance : IEquatable<Instance>
        {
            private readonly ServiceDescriptor descriptor;
            private readonly Type serviceType;

            public Instance(ServiceDescriptor descriptor, Type serviceType)
            {
                this.descriptor = descriptor;
                this.serviceType = serviceType;
            }

            public bool Equals(Instance? other) => other != null && ReferenceEquals(descriptor, other.descriptor) && serviceType == other.serviceType;

            public override bool Equals(object? obj) => Equals(obj as Instance);

            public override int GetHashCode() => descriptor.GetHashCode() ^ serviceType.GetHashCode();
        }
    }
}
