// The software GPU the WebGPU tests run on: Debian's Vulkan loader (libvulkan1) with the SwiftShader Vulkan
// driver that Debian's chromium package ships. The driver is chosen for the test's child processes only
// (VK_ICD_FILENAMES in their environment), never for the test process or the machine.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The SwiftShader ICD manifest: SIG_VULKAN_ICD, else the one in Debian's chromium. */
export const SWIFTSHADER_ICD = process.env.SIG_VULKAN_ICD || '/usr/lib/chromium/vk_swiftshader_icd.json';

function vulkanLoaderInstalled(): boolean {
  try {
    return /libvulkan\.so\.1\b/.test(execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' }));
  } catch {
    return existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1');
  }
}

/** Why the software GPU cannot run here (`.ci/run` installs libvulkan1 and chromium), or undefined when it can. */
export function softwareGpuMissing(): string | undefined {
  if (!vulkanLoaderInstalled()) return 'no Vulkan loader (apt-get install libvulkan1; .ci/run does)';
  if (!existsSync(SWIFTSHADER_ICD)) return `no SwiftShader Vulkan driver at ${SWIFTSHADER_ICD} (apt-get install chromium; .ci/run does)`;
  return undefined;
}

/** The environment for a child process that should see the SwiftShader Vulkan driver as its GPU. */
export function softwareGpuEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, VK_ICD_FILENAMES: SWIFTSHADER_ICD };
}
