/**
 * Tests that need a WebGPU adapter. On a machine without a GPU (CI, this team's machines) Debian's
 * Chromium ships SwiftShader's Vulkan driver, which gives Dawn a (slow, CPU-emulated) adapter;
 * point the Vulkan loader at it unless the environment already chose a driver. Where there is no
 * adapter at all the test fails with what to install: it never skips.
 */
import { existsSync } from 'node:fs'
import { expect } from 'vitest'
import type { GpuAdapterReport } from '../../preload/contract'
import { prepareDawnEnvironment } from '../../main/engine/dawnEnvironment'

export const swiftShaderIcd = '/usr/lib/chromium/vk_swiftshader_icd.json'

/** Sets up this process's environment for Dawn; call before anything loads the addon. */
export function useWebgpuForTests(): void {
  prepareDawnEnvironment()
  if (!process.env.VK_ICD_FILENAMES && existsSync(swiftShaderIcd))
    process.env.VK_ICD_FILENAMES = swiftShaderIcd
}

export const noAdapterAdvice =
  "No WebGPU adapter for the tests. Install Debian's chromium (it ships SwiftShader's Vulkan " +
  `driver at ${swiftShaderIcd}) or run on a machine with a GPU and its Vulkan driver.`

/**
 * What every adapter report must say: a name, the limits that matter, and — on the tests'
 * SwiftShader — that it is a software adapter (which is why auto must refuse it).
 */
export function expectAdapterReport(adapter: GpuAdapterReport | undefined): void {
  expect(adapter, noAdapterAdvice).toBeDefined()
  expect(adapter!.description).toMatch(/\S/)
  expect(adapter!.maxBufferSize).toBeGreaterThan(0)
  expect(adapter!.maxStorageBufferBindingSize).toBeGreaterThan(0)
  if (process.env.VK_ICD_FILENAMES === swiftShaderIcd) {
    expect(adapter!.architecture).toBe('swiftshader')
    expect(adapter!.software).toBe(true)
  }
}
